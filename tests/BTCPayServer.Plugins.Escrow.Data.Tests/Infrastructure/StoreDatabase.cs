using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database for one test run, on one provider. The persistence tests are written once against this
/// and run on every provider; only what cannot be said portably (creating the database, disabling a trigger) differs.
/// </summary>
public abstract class StoreDatabase : IAsyncLifetime
{
    /// <summary>The schema tables live in, or null where the provider has none.</summary>
    protected abstract string? Schema { get; }

    public abstract EscrowDbContext NewContext();

    /// <summary>A store over its own context: a separate unit of work, as another request or worker would have.</summary>
    public EfContractStore NewStore() => new(NewContext());

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>A quoted, schema-qualified table name for raw SQL (double quotes work in PostgreSQL and SQLite).</summary>
    public string Table(string name) => Schema is null ? $"\"{name}\"" : $"\"{Schema}\".\"{name}\"";

    /// <summary>A moment as this provider stores it, for raw SQL parameters.</summary>
    public abstract object Moment(DateTimeOffset at);

    /// <summary>Changes an audit entry's data behind the application's back, the way an attacker with database access would.</summary>
    public abstract Task TamperWithAuditEntryAsync(Guid contractId, int sequence, string data);

    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = NewContext();
        return await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }

    public async Task AddAsync(Contract contract)
    {
        await using var store = NewStore();
        await store.AddAsync(contract, CancellationToken.None);
    }

    public async Task<Contract> LoadAsync(Guid contractId)
    {
        await using var store = NewStore();
        return await store.FindAsync(contractId, CancellationToken.None) ?? throw new InvalidOperationException($"Contract {contractId} is not stored.");
    }

    /// <summary>Loads, acts and saves in one unit of work; returns the contract as saved.</summary>
    public async Task<Contract> ActAsync(Guid contractId, Action<Contract> act)
    {
        await using var store = NewStore();
        var contract = await store.FindAsync(contractId, CancellationToken.None) ?? throw new InvalidOperationException($"Contract {contractId} is not stored.");
        act(contract);
        await store.SaveAsync(contract, CancellationToken.None);
        return contract;
    }

    /// <summary>
    /// When set (before <see cref="InitializeAsync"/>), the database is migrated only up to this migration, so a test can
    /// fill an older schema and then migrate it (<see cref="MigrateToLatestAsync"/>).
    /// </summary>
    public string? InitialMigration { get; init; }

    public async Task MigrateToLatestAsync()
    {
        await using var db = NewContext();
        await EscrowDatabase.MigrateAsync(db);
    }

    protected async Task MigrateAsync()
    {
        if (InitialMigration is null)
        {
            await MigrateToLatestAsync();
            return;
        }
        await using var db = NewContext();
        await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(InitialMigration);
    }
}
