using Npgsql;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The shared audit suite on PostgreSQL, plus what only PostgreSQL has: TRUNCATE.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditLogTests(PostgresDatabase database) : AuditLogTests(database)
{
    [Fact]
    public async Task The_database_rejects_truncating_the_audit_table()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);

        var error = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync($"TRUNCATE {database.Table("AuditEntries")} CASCADE"));

        Assert.Contains("append-only", error.MessageText);
        Assert.Equal(contract.AuditCount, (await database.LoadAsync(contract.Id)).AuditCount);
    }
}
