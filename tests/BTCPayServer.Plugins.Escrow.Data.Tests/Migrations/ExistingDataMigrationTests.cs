using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Migrations;

/// <summary>
/// The move of the contract's lists into JSON columns (migration ContractListsAsJson) carries every contract, ledger
/// entry, audit entry and payout instruction across unchanged. The fixtures are databases of the schema before it,
/// filled through that schema's own code (commit 8ff1214, FixtureWriter: 60 contracts in every state, with disputes,
/// late, invalid and refunded payments, payouts queued, claimable, completed and failed) with a full export made by
/// that code. Each test migrates a copy and compares the export the new code makes.
/// </summary>
public sealed class ExistingDataMigrationTests
{
    private const string SchemaBefore = "ApiIdempotencyKeys";
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Migrations", "Fixtures");

    [Fact]
    public async Task A_PostgreSQL_database_of_the_previous_schema_migrates_with_every_contract_and_audit_chain_unchanged()
    {
        var database = new PostgresDatabase { InitialMigration = SchemaBefore };
        await database.InitializeAsync();
        try
        {
            await RestoreDumpAsync(database, Path.Combine(Fixtures, "postgres-data.sql"));
            await database.MigrateToLatestAsync();
            await AssertCarriedAcrossAsync(database, "postgres-export.json");
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_SQLite_database_of_the_previous_schema_migrates_with_every_contract_and_audit_chain_unchanged()
    {
        var database = new SqliteDatabase { CopyOf = Path.Combine(Fixtures, "sqlite.db"), InitialMigration = SchemaBefore };
        await database.InitializeAsync();
        try
        {
            await database.MigrateToLatestAsync();
            await AssertCarriedAcrossAsync(database, "sqlite-export.json");
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task AssertCarriedAcrossAsync(StoreDatabase database, string exportBefore)
    {
        var before = (await File.ReadAllTextAsync(Path.Combine(Fixtures, exportBefore))).ReplaceLineEndings("\n");
        var after = (await DatabaseExport.OfAsync(database)).ReplaceLineEndings("\n");
        AssertSameText(before, after);
        Assert.DoesNotContain("\"ChainVerifies\": false", after);
        Assert.Contains("\"ChainVerifies\": true", after);

        // The key tables next to the JSON lists were carried too: every party link and processed event still finds its contract.
        await using var db = database.NewContext();
        var contracts = await db.Contracts.AsNoTracking().ToListAsync();
        var tokens = await db.PartyTokens.AsNoTracking().ToDictionaryAsync(t => t.TokenHash, t => t.ContractId);
        var events = await db.ProcessedEvents.AsNoTracking().ToDictionaryAsync(e => e.EventId, e => e.ContractId);
        Assert.Equal(contracts.SelectMany(c => c.PartyAccess).ToDictionary(a => a.TokenHash, a => a.ContractId), tokens);
        Assert.Equal(contracts.SelectMany(c => c.ProcessedEvents).ToDictionary(e => e.EventId, e => e.ContractId), events);
        Assert.NotEmpty(tokens);
        Assert.NotEmpty(events);
    }

    /// <summary>Equal texts, or a failure that shows the first line that differs (the exports are megabytes long).</summary>
    private static void AssertSameText(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            if (a[i] != b[i])
                Assert.Fail($"Line {i + 1} differs.\nbefore: {a[i].Trim()}\nafter:  {b[i].Trim()}\ncontext: {string.Join("\n", b.Skip(Math.Max(0, i - 15)).Take(16))}");
        Assert.Equal(a.Length, b.Length);
    }

    /// <summary>Runs a pg_dump data-only script (psql meta-commands left out) against the run's database.</summary>
    private static async Task RestoreDumpAsync(PostgresDatabase database, string path)
    {
        var script = string.Join("\n", (await File.ReadAllLinesAsync(path)).Where(line => !line.StartsWith('\\')));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(script, connection);
        await command.ExecuteNonQueryAsync();
    }
}
