using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>
/// The runtime settings the standalone host is built with (its runtimeconfig.json, read by the runtime at start): the
/// server collector as BTCPay runs, in 1 MB heap regions, and tiered compilation without profile-guided instrumentation.
/// The last two keep the host's memory after the benchmark's page load under its 250 MB target (README, Benchmarks);
/// this test keeps them from being dropped by a project-file change that nothing else would notice.
/// </summary>
public sealed class HostRuntimeSettingsTests
{
    [Fact]
    public void The_host_runs_the_server_collector_in_1_MB_regions_without_profile_guided_tiering()
    {
        var (_, dll) = HostBuild.Locate();
        var path = Path.ChangeExtension(dll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean(), path);
        Assert.Equal(1024 * 1024, properties.GetProperty("System.GC.RegionSize").GetInt64());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean(), path);
    }
}
