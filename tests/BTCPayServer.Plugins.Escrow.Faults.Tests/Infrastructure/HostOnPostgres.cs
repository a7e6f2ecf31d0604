namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

/// <summary>
/// One run of the host on a fresh database of a <see cref="PostgresServer"/> (the host creates it) and a fresh data
/// folder (sandbox, keys). Disposing stops the host, leaves the server running for the next test, removes the folder.
/// </summary>
public sealed class HostOnPostgres : IAsyncDisposable
{
    private readonly PostgresServer _server;

    private HostOnPostgres(PostgresServer server, string database, string dataDir, HostProcess host)
    {
        _server = server;
        Database = database;
        DataDir = dataDir;
        Host = host;
    }

    public string Database { get; }
    public string DataDir { get; }
    public HostProcess Host { get; }
    public string ConnectionString => _server.ConnectionString(Database);

    public static async Task<HostOnPostgres> StartAsync(PostgresServer server)
    {
        var database = $"faults_{Guid.NewGuid().ToString("N")[..8]}";
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-faults", $"db-{database}");
        Directory.CreateDirectory(dataDir);
        var host = await HostProcess.StartAsync(dataDir, crashAt: null, postgres: server.ConnectionString(database));
        return new HostOnPostgres(server, database, dataDir, host);
    }

    /// <summary>What the stopped host left: the escrow database and the sandbox's.</summary>
    public async Task<Stored> ReadStoredAsync(Guid contractId)
    {
        await Host.DisposeAsync();
        return await Stored.ReadAsync(DataDir, contractId, ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            await _server.ScalarAsync<int>("postgres", "SELECT 1");
        }
        catch (Exception)
        {
            // A failed test may leave the server stopped; the next test of the class needs it.
            await _server.StartAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // the temp folder is cleaned later
        }
    }
}
