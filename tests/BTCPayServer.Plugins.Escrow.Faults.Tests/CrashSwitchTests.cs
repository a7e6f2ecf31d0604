using BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>The switch itself: a misspelt point must not silently never fire.</summary>
public sealed class CrashSwitchTests
{
    [Theory]
    [InlineData("outbox.after-gateway")]
    [InlineData("uow.after-save#0")]
    [InlineData("uow.after-save#x")]
    public async Task An_unknown_point_or_count_stops_the_host_at_start_up(string crashAt)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-faults", $"bad-switch-{Guid.NewGuid():N}");
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(dataDir, crashAt));
            Assert.Contains("Escrow:CrashAt must be <point> or <point>#<n>", refused.Message);
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }
}
