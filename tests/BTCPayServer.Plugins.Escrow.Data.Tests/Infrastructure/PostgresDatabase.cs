using BTCPayServer.Plugins.Escrow.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

/// <summary>
/// A database of its own on a real PostgreSQL server (ESCROW_TEST_POSTGRES, or the local CI server), created for
/// the run and dropped after it, so runs never see each other's rows.
/// </summary>
public sealed class PostgresDatabase : StoreDatabase
{
    public const string ConnectionVariable = "ESCROW_TEST_POSTGRES";
    private const string DefaultConnection = "Host=127.0.0.1;Port=5432;Username=escrow;Password=escrow;Database=postgres";

    private readonly string _serverConnection = Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured ? configured : DefaultConnection;
    private readonly string _name = $"escrow_test_{Guid.NewGuid():N}";
    private string _connection = "";

    protected override string? Schema => EscrowDatabase.Schema;

    /// <summary>This run's database.</summary>
    public string ConnectionString => _connection;

    public override EscrowDbContext NewContext() => EscrowDatabase.CreatePostgres(_connection);

    public override object Moment(DateTimeOffset at) => at;

    public override async Task InitializeAsync()
    {
        try
        {
            await using var server = new NpgsqlConnection(_serverConnection);
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", server);
            await create.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: set {ConnectionVariable} or start one with a login role escrow/escrow allowed to create databases. {e.Message}", e);
        }
        _connection = new NpgsqlConnectionStringBuilder(_serverConnection) { Database = _name }.ConnectionString;
        await MigrateAsync();
    }

    public override async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(_serverConnection);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }

    public override async Task TamperWithAuditEntryAsync(Guid contractId, int sequence, string data)
    {
        await using var db = NewContext();
        var table = Table("AuditEntries");
        await using var transaction = await db.Database.BeginTransactionAsync();
        // Disabling a trigger needs table ownership, which an attacker with the database role has; the chain still catches it.
        // (Table names are fixed by the model, never input: building the SQL text here is safe.)
        var disable = $"ALTER TABLE {table} DISABLE TRIGGER USER";
        var update = $"UPDATE {table} SET \"Data\" = {{0}} WHERE \"ContractId\" = {{1}} AND \"Sequence\" = {{2}}";
        var enable = $"ALTER TABLE {table} ENABLE TRIGGER USER";
        await db.Database.ExecuteSqlRawAsync(disable);
        await db.Database.ExecuteSqlRawAsync(update, data, contractId, sequence);
        await db.Database.ExecuteSqlRawAsync(enable);
        await transaction.CommitAsync();
    }
}
