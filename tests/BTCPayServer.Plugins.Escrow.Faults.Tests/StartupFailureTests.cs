using BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>
/// The web server starts while the databases are migrated; a database that cannot be brought up to date must stop the
/// host with an error, never leave it answering half-ready.
/// </summary>
public sealed class StartupFailureTests
{
    [Fact]
    public async Task A_database_that_cannot_be_reached_stops_the_host_with_exit_code_1_and_says_why()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-faults", $"no-db-{Guid.NewGuid():N}");
        try
        {
            // Port 1 on loopback: nothing listens there, so every connection is refused at once.
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                HostProcess.StartAsync(dataDir, crashAt: null, postgres: "Host=127.0.0.1;Port=1;Username=escrow;Password=escrow;Database=escrow;Timeout=3"));

            Assert.Contains("exited with code 1 before answering", refused.Message);
            Assert.Contains("The databases could not be prepared; stopping", refused.Message);
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }
}
