using BTCPayServer.Plugins.Escrow.Data;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>A PostgreSQL database of its own for one benchmark run, migrated, dropped at the end.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string ConnectionVariable = "ESCROW_BENCH_POSTGRES";
    private const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=escrow;Password=escrow;Database=postgres";

    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlConnectionStringBuilder Server => new(_server);

    /// <param name="migrate">False leaves the database empty (the start-up benchmark lets the host migrate it).</param>
    public static async Task<BenchDatabase> CreateAsync(string purpose, bool migrate = true)
    {
        var server = Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } s ? s : DefaultServer;
        var db = new BenchDatabase(server, $"escrow_bench_{purpose}_{Guid.NewGuid():N}"[..40]);
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{db.Name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        if (!migrate)
            return db;
        await using var context = EscrowDatabase.CreatePostgres(db.ConnectionString);
        await EscrowDatabase.MigrateAsync(context);
        return db;
    }

    public async Task AnalyzeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 600 };
        await analyze.ExecuteNonQueryAsync();
    }

    public EscrowDbContext NewContext() => EscrowDatabase.CreatePostgres(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
