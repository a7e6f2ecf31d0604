using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

/// <summary>A SQLite file in the temp folder (a file, not :memory:, so separate contexts really are separate connections).</summary>
public sealed class SqliteDatabase : StoreDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"escrow-test-{Guid.NewGuid():N}.db");

    protected override string? Schema => null;

    /// <summary>This run's database file.</summary>
    public string FilePath => _path;

    public override EscrowDbContext NewContext() => SqliteEscrowDatabase.Create($"Data Source={_path}");

    public override object Moment(DateTimeOffset at) => at.UtcTicks;

    /// <summary>When set, the database starts as a copy of this file (a database written by an earlier schema).</summary>
    public string? CopyOf { get; init; }

    public override Task InitializeAsync()
    {
        if (CopyOf is not null)
            File.Copy(CopyOf, _path);
        return MigrateAsync();
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-journal" })
            File.Delete(file);
        return Task.CompletedTask;
    }

    public override async Task TamperWithAuditEntryAsync(Guid contractId, int sequence, string data)
    {
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        // SQLite cannot disable a trigger: drop the append-only triggers, change the row, and put them back as they were.
        var triggers = await db.Database
            .SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEntries'")
            .ToListAsync();
        var names = await db.Database
            .SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEntries'")
            .ToListAsync();
        foreach (var name in names)
        {
            var drop = $"DROP TRIGGER \"{name}\"";
            await db.Database.ExecuteSqlRawAsync(drop);
        }
        await db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"Data\" = {0} WHERE \"ContractId\" = {1} AND \"Sequence\" = {2}", data, contractId, sequence);
        foreach (var sql in triggers)
            await db.Database.ExecuteSqlRawAsync(sql);
        await transaction.CommitAsync();
    }
}
