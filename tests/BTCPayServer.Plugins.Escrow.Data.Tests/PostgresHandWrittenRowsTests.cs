using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Postgres;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// On PostgreSQL the contract store loads and saves contracts by hand (<see cref="PostgresContractRows"/>), not through
/// EF's change tracking. Its rows must be EF's rows, both ways: what one writes, the other reads identically, and a row
/// the hand path wrote is the row EF writes for the same contract, column by column (JSON lists compared as jsonb).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHandWrittenRowsTests(PostgresDatabase db)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Each_act_saved_by_hand_reads_the_same_by_hand_and_through_EF_and_each_act_saved_by_EF_too()
    {
        foreach (var byHand in new[] { true, false })
        {
            var clock = Build.Clock();
            var lifecycle = new Lifecycle(clock);
            var contract = Build.Draft(clock);
            await using (var store = new EfContractStore(db.NewContext(), byHand))
                await store.AddAsync(contract, None);
            await AssertBothReadAsync(contract.Id, Snapshot.Of(contract));
            foreach (var (step, i) in lifecycle.Steps.Select((s, i) => (s, i)))
            {
                lifecycle.Tick(i);
                await using var store = new EfContractStore(db.NewContext(), byHand);
                var loaded = (await store.FindAsync(contract.Id, None))!;
                step(loaded);
                await store.SaveAsync(loaded, None);
                await AssertBothReadAsync(contract.Id, Snapshot.Of(loaded));
            }
        }
    }

    [Fact]
    public async Task A_contract_written_by_hand_is_the_row_EF_writes_for_it()
    {
        var clock = Build.Clock();
        var lifecycle = new Lifecycle(clock);
        var contract = Build.Draft(clock);
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            await store.AddAsync(contract, None);
        foreach (var (step, i) in lifecycle.Steps.Select((s, i) => (s, i)))
        {
            lifecycle.Tick(i);
            await using var store = new EfContractStore(db.NewContext(), byHand: true);
            var loaded = (await store.FindAsync(contract.Id, None))!;
            step(loaded);
            await store.SaveAsync(loaded, None);
        }
        var byHand = await RowsAsync(contract.Id);

        // EF rewrites every column of the same contract, loaded through EF: first the row's JSON lists and figures
        // are blanked, so a column EF would write differently (or not at all) shows.
        await using (var context = db.NewContext())
        {
            var store = new EfContractStore(context, byHand: false);
            var loaded = (await store.FindAsync(contract.Id, None))!;
            await db.ExecuteAsync(
                $"UPDATE {db.Table("Contracts")} SET \"Milestones\" = '[]', \"TermsVersions\" = '[]', \"Disputes\" = '[]', \"Payments\" = '[]', " +
                $"\"Allocations\" = '[]', \"ProcessedEvents\" = '[]', \"PartyAccess\" = '[]', \"SummaryTotal\" = -1, \"SummaryOpenDisputes\" = -1, \"Title\" = 'x' WHERE \"Id\" = {{0}}",
                contract.Id);
            await db.ExecuteAsync($"UPDATE {db.Table("FundingInvoices")} SET \"CheckoutLink\" = 'x', \"Position\" = 99 WHERE \"ContractId\" = {{0}}", contract.Id);
            await db.ExecuteAsync($"UPDATE {db.Table("PayoutInstructions")} SET \"Description\" = 'x', \"Position\" = 99 WHERE \"ContractId\" = {{0}}", contract.Id);
            var row = context.Entry(loaded);
            row.Property(PostgresEscrowDbContext.RowVersion).OriginalValue = await RowVersionAsync(contract.Id);
            row.State = EntityState.Modified;
            foreach (var complex in row.Metadata.GetComplexProperties())
                if (complex.IsCollection)
                    row.ComplexCollection(complex).IsModified = true;
            foreach (var child in loaded.Invoices.Cast<object>().Concat(loaded.Payouts))
                context.Entry(child).State = EntityState.Modified;
            await context.SaveChangesAsync();
        }
        var byEf = await RowsAsync(contract.Id);

        Assert.Equal(byEf.Contract, byHand.Contract);
        Assert.Equal(byEf.Invoices, byHand.Invoices);
        Assert.Equal(byEf.Payouts, byHand.Payouts);
        Assert.Contains("\"Milestones\": [{", byHand.Contract, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_item_with_keys_the_model_does_not_have_reads_as_EF_reads_it()
    {
        // A row written by a later version (a field this one does not know, nested values in it) still loads, whole.
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        new Lifecycle(clock).RunAll(contract);
        await db.AddAsync(contract);
        await db.ExecuteAsync(
            $"UPDATE {db.Table("Contracts")} SET \"Milestones\" = (SELECT jsonb_agg(m || {{1}}::jsonb) FROM jsonb_array_elements(\"Milestones\") m) WHERE \"Id\" = {{0}}",
            contract.Id, """{"Later": {"a": [1, {"b": null}], "c": "x"}, "Z": 1}""");
        await AssertBothReadAsync(contract.Id, Snapshot.Of(contract));
    }

    [Fact]
    public async Task A_save_writes_only_the_columns_that_changed_and_no_list_that_did_not()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        new Lifecycle(clock).RunAll(contract);
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            await store.AddAsync(contract, None);

        var log = new StatementLog();
        await using (var store = new EfContractStore(EscrowDatabase.CreatePostgres(db.ConnectionString, log), byHand: true))
        {
            var loaded = (await store.FindAsync(contract.Id, None))!;
            log.Clear();
            await store.SaveAsync(loaded, None);
        }
        var update = Assert.Single(log.Saves);
        // Only the revision (bumped by every save, so that concurrent writers always conflict), by key and row version.
        Assert.Equal(
            "WITH saved AS (UPDATE \"BTCPayServer.Plugins.Escrow\".\"Contracts\" SET \"Revision\" = $1 WHERE \"Id\" = $2 AND \"xmin\" = $3 RETURNING \"xmin\") " +
            "SELECT \"xmin\" FROM saved UNION ALL SELECT \"BTCPayServer.Plugins.Escrow\".\"ContractChanged\"($2) WHERE NOT EXISTS (SELECT FROM saved)", update);
    }

    /// <summary>
    /// A contract's new audit entries and key rows go in as few statements as there are groups of eight: a payment
    /// event's four entries are one statement, not four; a contract added with its whole history, a few.
    /// </summary>
    [Fact]
    public async Task New_audit_entries_and_key_rows_are_written_eight_rows_to_a_statement_and_read_back_as_a_valid_chain()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        new Lifecycle(clock).RunAll(contract);
        var added = contract.UnsavedAuditEntries.Count;
        Assert.True(added > 2 * TableShape.MaxRowsPerInsert, $"the scenario writes {added} entries");
        var log = new StatementLog();
        await using (var store = new EfContractStore(EscrowDatabase.CreatePostgres(db.ConnectionString, log), byHand: true))
            await store.AddAsync(contract, None);
        Assert.Equal((added + TableShape.MaxRowsPerInsert - 1) / TableShape.MaxRowsPerInsert, AuditInserts(log).Count);
        Assert.Equal(added, AuditInserts(log).Sum(RowsOf));
        // The scenario's three gateway events, one key row each.
        Assert.Equal(3, RowsOf(Assert.Single(log.Saves, s => s.StartsWith($"INSERT INTO {db.Table("ProcessedEvents")}"))));

        // A settlement: its entries in one statement, its event's key row in one.
        var second = Build.Draft(clock);
        Build.Activate(second, clock);
        Build.Invoice(second, clock, Build.Unique("inv"), 1, 2);
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            await store.AddAsync(second, None);
        log.Clear();
        int written;
        await using (var store = new EfContractStore(EscrowDatabase.CreatePostgres(db.ConnectionString, log), byHand: true))
        {
            var loaded = (await store.FindAsync(second.Id, None))!;
            loaded.ApplyPaymentEvent(Build.Settled(loaded.Invoices[0], clock, Build.Unique("evt"), Build.Unique("pay")), clock.GetUtcNow());
            written = loaded.UnsavedAuditEntries.Count;
            Assert.True(written > 1, $"a settlement writes {written} entries");
            await store.SaveAsync(loaded, None);
        }
        Assert.Equal(written, RowsOf(Assert.Single(AuditInserts(log))));
        Assert.Equal(1, RowsOf(Assert.Single(log.Saves, s => s.StartsWith($"INSERT INTO {db.Table("ProcessedEvents")}"))));

        foreach (var id in new[] { contract.Id, second.Id })
        {
            await using var store = new EfContractStore(db.NewContext(), byHand: true);
            var stored = (await store.FindAsync(id, None))!;
            var result = AuditChain.Verify(await store.ReadAsync(id, None));
            Assert.True(result.IsValid, result.Problem);
            Assert.Equal((stored.AuditCount, stored.AuditHeadHash), (result.EntryCount, result.HeadHash));
        }

        List<string> AuditInserts(StatementLog l) => [.. l.Saves.Where(s => s.StartsWith($"INSERT INTO {db.Table("AuditEntries")}"))];
        static int RowsOf(string insert) => insert.Split("), (").Length;
    }

    [Fact]
    public async Task A_save_over_a_stale_row_stores_nothing_and_is_a_conflict()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            await store.AddAsync(contract, None);

        // Someone changed the row alone (no key this save writes is taken): its row version alone says so.
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
        {
            var loaded = (await store.FindAsync(contract.Id, None))!;
            await db.ExecuteAsync($"UPDATE {db.Table("Contracts")} SET \"Title\" = \"Title\" WHERE \"Id\" = {{0}}", contract.Id);
            var invoiceId = Build.Unique("inv");
            Build.Invoice(loaded, clock, invoiceId, 2);
            var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SaveAsync(loaded, None));
            Assert.Equal(contract.Id, conflict.ContractId);
            await AssertStoredAsync(contract, invoiceId);
        }

        // Another writer saved an act first: its audit entry took the sequence this save's entry has.
        await using var first = new EfContractStore(db.NewContext(), byHand: true);
        await using var second = new EfContractStore(db.NewContext(), byHand: true);
        var a = (await first.FindAsync(contract.Id, None))!;
        var b = (await second.FindAsync(contract.Id, None))!;
        Build.Invoice(a, clock, Build.Unique("inv-a"), 1);
        await first.SaveAsync(a, None);
        var invoiceB = Build.Unique("inv-b");
        Build.Invoice(b, clock, invoiceB, 2);
        Assert.Equal(contract.Id, (await Assert.ThrowsAsync<ConcurrencyConflictException>(() => second.SaveAsync(b, None))).ContractId);
        await AssertStoredAsync(a, invoiceB);

        // The row version matches, but a later statement of the batch fails (the event's id is taken by a key row
        // written behind this store's back): the contract row's update, earlier in the same batch, is undone too.
        await using var third = new EfContractStore(db.NewContext(), byHand: true);
        var c = (await third.FindAsync(contract.Id, None))!;
        var eventId = Build.Unique("evt");
        await db.ExecuteAsync(
            $"INSERT INTO {db.Table("ProcessedEvents")} (\"EventId\", \"ContractId\", \"Kind\", \"ProcessedAt\") VALUES ({{0}}, {{1}}, 'InvoiceSettled', now())",
            eventId, contract.Id);
        c.ApplyPaymentEvent(Build.Settled(c.Invoices[0], clock, eventId, Build.Unique("pay")), clock.GetUtcNow());
        Assert.NotEmpty(c.Payments);
        Assert.Equal(contract.Id, (await Assert.ThrowsAsync<ConcurrencyConflictException>(() => third.SaveAsync(c, None))).ContractId);
        var stored = await db.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(stored));
        Assert.Empty(stored.Payments);
    }

    private async Task AssertStoredAsync(Contract expected, string notStoredInvoice)
    {
        var stored = await db.LoadAsync(expected.Id);
        Assert.Equal(Snapshot.Of(expected), Snapshot.Of(stored));
        Assert.DoesNotContain(stored.Invoices, i => i.InvoiceId == notStoredInvoice);
        await using var store = new EfContractStore(db.NewContext());
        Assert.Equal(expected.AuditCount, (await store.ReadAsync(expected.Id, None)).Count);
        Assert.Equal(0, await db.ExecuteAsync($"UPDATE {db.Table("FundingInvoices")} SET \"Position\" = \"Position\" WHERE \"InvoiceId\" = {{0}}", notStoredInvoice));
    }

    [Fact]
    public async Task A_store_answers_the_instance_it_already_has_and_saves_it()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        await db.AddAsync(contract);

        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
        {
            var first = (await store.FindAsync(contract.Id, None))!;
            var again = await store.FindByInvoiceAsync(invoice.InvoiceId, None);
            Assert.Same(first, again);
            Assert.Same(first, Assert.Single(await store.FindByGatewayIdsAsync([invoice.InvoiceId], [], None)));
            // A change made in place to an array column (the invoice's milestone ids) is a change too.
            first.Invoices[0].MilestoneIds.Add(Lifecycle.M(first, 2));
            await store.SaveAsync(first, None);
        }
        var stored = await db.LoadAsync(contract.Id);
        Assert.Equal([Lifecycle.M(stored, 1), Lifecycle.M(stored, 2)], stored.Invoices[0].MilestoneIds);
    }

    [Fact]
    public async Task A_contract_is_saved_by_the_store_that_loaded_it_only()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            await store.AddAsync(contract, None);
        await using var other = new EfContractStore(db.NewContext(), byHand: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.SaveAsync(contract, None));
        Assert.Contains("the store that loaded it", error.Message, StringComparison.Ordinal);
    }

    private async Task AssertBothReadAsync(Guid contractId, string expected)
    {
        await using (var store = new EfContractStore(db.NewContext(), byHand: true))
            Assert.Equal(expected, Snapshot.Of((await store.FindAsync(contractId, None))!));
        await using (var store = new EfContractStore(db.NewContext(), byHand: false))
            Assert.Equal(expected, Snapshot.Of((await store.FindAsync(contractId, None))!));
    }

    /// <summary>The contract's row and its child rows as PostgreSQL prints them (jsonb: key order and spacing its own).</summary>
    private async Task<(string Contract, string Invoices, string Payouts)> RowsAsync(Guid contractId)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        async Task<string> Json(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue(contractId);
            return (string)(await command.ExecuteScalarAsync())!;
        }
        return (
            await Json($"SELECT to_jsonb(c)::text FROM {db.Table("Contracts")} c WHERE \"Id\" = $1"),
            await Json($"SELECT jsonb_agg(to_jsonb(i) ORDER BY \"Position\")::text FROM {db.Table("FundingInvoices")} i WHERE \"ContractId\" = $1"),
            await Json($"SELECT jsonb_agg(to_jsonb(p) ORDER BY \"Position\")::text FROM {db.Table("PayoutInstructions")} p WHERE \"ContractId\" = $1"));
    }

    private async Task<uint> RowVersionAsync(Guid contractId)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT xmin FROM {db.Table("Contracts")} WHERE \"Id\" = $1", connection);
        command.Parameters.AddWithValue(contractId);
        return (uint)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The statements of each save batch the hand-written path logs.</summary>
    private sealed class StatementLog : ILoggerFactory, ILogger
    {
        private readonly List<string> _saves = [];

        public IReadOnlyList<string> Saves
        {
            get { lock (_saves) return [.. _saves]; }
        }

        public void Clear()
        {
            lock (_saves)
                _saves.Clear();
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != ContractRowsEvents.BatchExecuted.Id || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
                return;
            var what = values.First(v => v.Key == "What").Value as string;
            if (what != "Saving contracts")
                return;
            lock (_saves)
                _saves.AddRange(((string)values.First(v => v.Key == "Statements").Value!).Split(";\n"));
        }

        public bool IsEnabled(LogLevel logLevel) => true;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public ILogger CreateLogger(string categoryName) => this;
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
    }
}
