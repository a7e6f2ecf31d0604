using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// The event path's owner lookup on PostgreSQL reads contracts through their keys, whatever the table's size: a batch
/// of gateway events must not scan every contract row (it did, with "EXISTS ... OR EXISTS ...", at about 1 ms of server
/// CPU per batch at 5,000 contracts and growing with the table). Checked with the server's own counter of sequential
/// scans on the contracts table.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoadPlanTests(PostgresDatabase db)
{
    private const int Contracts = 1000;

    [Fact]
    public async Task Finding_the_owners_of_gateway_ids_never_scans_the_contracts_table()
    {
        var invoices = await ActiveContractsWithInvoicesAsync();

        // Invoices only (the usual batch), invoices and pull payments together, pull payments only.
        (List<string> Invoices, List<string> PullPayments)[] lookups =
        [
            ([.. invoices.Take(8)], []),
            ([.. invoices.Skip(8).Take(8)], ["pp-nobody-has"]),
            ([], ["pp-nobody-has"]),
        ];
        foreach (var (invoiceIds, pullPaymentIds) in lookups)
        {
            var before = await SequentialScansAsync();
            await using (var store = new EfContractStore(db.NewContext()))
            {
                var found = await store.FindByGatewayIdsAsync(invoiceIds, pullPaymentIds, CancellationToken.None);
                Assert.Equal(invoiceIds.Count, found.Count);
            }
            Assert.Equal(before, await SequentialScansAsync());
        }
    }

    /// <summary>
    /// A batch's owner lookup is planned once and its plan kept, whatever the batch's size: the ids are padded to a few
    /// list sizes, each a statement PostgreSQL keeps a generic plan for. (With the ids as one array parameter it made a
    /// new plan for every batch: a cached plan assumes ten elements, which never looked better than a plan for three.)
    /// </summary>
    [Fact]
    public async Task A_batch_lookup_keeps_its_plan_for_batches_of_any_size()
    {
        // Enough rows that an index lookup per id costs more than PostgreSQL's allowance for planning again.
        var invoices = await ActiveContractsWithInvoicesAsync();

        // One pooled connection, so every lookup runs on the server session read below.
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1, ApplicationName = "escrow-load-plan-test" }.ConnectionString;
        // Two padded list sizes: 3 and 4 ids run as four, 5 to 8 as eight; each size twenty times.
        var sizes = Enumerable.Range(0, 20).SelectMany(i => new[] { 3 + i % 2, 5 + i % 4 }).ToArray();
        var next = 0;
        foreach (var size in sizes)
        {
            var batch = invoices.Skip(next).Take(size).ToList();
            next += size;
            await using var store = new EfContractStore(EscrowDatabase.CreatePostgres(connectionString));
            var found = await store.FindByGatewayIdsAsync(batch, [], CancellationToken.None);
            Assert.Equal(batch.Count, found.Count);
        }

        await using var connection = new NpgsqlConnection(EscrowDatabase.WithPoolDefaults(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%\"FundingInvoices\" WHERE \"InvoiceId\" %'",
            connection);
        var plans = new List<(string Statement, long Generic, long Custom)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                plans.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        NpgsqlConnection.ClearPool(connection);
        // For each list size, the contracts, their invoices and their payouts: three statements, prepared after a few
        // uses (Npgsql), then run on their generic plan: each made at most the five custom plans PostgreSQL makes
        // before it compares.
        Assert.Equal(6, plans.Count);
        Assert.Equal(3, plans.Count(p => p.Statement.Contains("$4)")));
        Assert.Equal(3, plans.Count(p => p.Statement.Contains("$8)")));
        Assert.All(plans, p =>
        {
            Assert.True(p.Generic > 0, $"never ran on a generic plan ({p.Custom} custom plans): {p.Statement}");
            Assert.True(p.Custom <= 5, $"{p.Custom} custom plans: {p.Statement}");
        });
    }

    [Fact]
    public void Gateway_ids_are_padded_to_a_power_of_two_with_the_last_id()
    {
        foreach (var (count, padded) in new[] { (1, 1), (2, 2), (3, 4), (5, 8), (8, 8), (9, 16), (64, 64), (100, 128) })
        {
            var ids = Enumerable.Range(0, count).Select(i => $"id-{i}").ToList();
            var values = new List<object> { "before" };
            var sql = Postgres.PostgresContractRows.Padded(ids, values);
            Assert.Equal($"IN ({string.Join(", ", Enumerable.Range(2, padded).Select(i => $"${i}"))})", sql);
            Assert.Equal(["before", .. ids, .. Enumerable.Repeat(ids[^1], padded - count)], values);
        }
    }

    /// <summary>Stores <see cref="Contracts"/> active contracts, one open invoice each, analyzed; answers the invoice ids.</summary>
    private async Task<List<string>> ActiveContractsWithInvoicesAsync()
    {
        var clock = Build.Clock();
        var invoices = new List<string>();
        var contracts = Enumerable.Range(0, Contracts).Select(_ =>
        {
            var contract = Build.Draft(clock);
            Build.Activate(contract, clock);
            var invoiceId = Build.Unique("inv");
            Build.Invoice(contract, clock, invoiceId, 1);
            invoices.Add(invoiceId);
            return contract;
        }).ToList();
        foreach (var chunk in contracts.Chunk(250))
        {
            await using var store = new EfContractStore(db.NewContext());
            await store.AddManyAsync(chunk, CancellationToken.None);
        }
        await ExecuteAsync("ANALYZE");
        return invoices;
    }

    /// <summary>
    /// The server's count of sequential scans of the contracts table, once every pooled connection of the test's
    /// database has ended (a backend reports its statistics when it ends; waiting for that makes the count exact).
    /// </summary>
    private async Task<long> SequentialScansAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(EscrowDatabase.WithPoolDefaults(db.ConnectionString)));
        NpgsqlConnection.ClearPool(new NpgsqlConnection(db.ConnectionString));
        for (var attempt = 0; ; attempt++)
        {
            var others = (long)(await ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))!;
            if (others == 0)
                break;
            if (attempt == 100)
                throw new TimeoutException($"{others} connection(s) to the test database did not end");
            await Task.Delay(50);
        }
        return (long)(await ScalarAsync($"SELECT seq_scan FROM pg_stat_user_tables WHERE schemaname = '{EscrowDatabase.Schema}' AND relname = 'Contracts'"))!;
    }

    private async Task ExecuteAsync(string sql) => await ScalarAsync(sql);

    private async Task<object?> ScalarAsync(string sql)
    {
        // Not pooled: this connection must not count among the ones waited for above.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
