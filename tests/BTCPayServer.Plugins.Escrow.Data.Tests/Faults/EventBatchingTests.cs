using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Faults;

/// <summary>
/// Events arriving together are stored together (one load, one transaction per batch) on a real PostgreSQL server, and
/// each caller still gets its own answer: duplicates stay duplicates, strangers stay strangers, one bad event or a
/// conflict with another writer costs nobody else their event.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EventBatchingTests(PostgresDatabase database)
{
    private const int Contracts = 48;

    [Fact]
    public async Task Concurrent_events_are_stored_in_few_transactions_and_each_caller_gets_its_own_outcome()
    {
        var clock = Build.Clock();
        var (contracts, invoices) = await OpenInvoicesAsync(clock, Contracts);
        var stores = new CountingStores(new EfContractStoreFactory(database.NewContext));
        var handler = new PaymentEventHandler(stores, clock);
        var settled = invoices.Select(i => Build.Settled(i, clock, Build.Unique("evt"), Build.Unique("pay"))).ToList();
        // Every settlement, a second delivery of every third one, and events for invoices no contract has.
        var events = settled
            .Concat(settled.Where((_, i) => i % 3 == 0))
            .Concat(Enumerable.Range(0, 8).Select(_ => settled[0] with { EventId = Build.Unique("evt"), InvoiceId = Build.Unique("stranger") }))
            .ToList();

        var outcomes = await SendAllAtOnceAsync(handler, events);

        foreach (var group in events.Zip(outcomes).GroupBy(x => x.First.EventId))
        {
            if (group.First().First.InvoiceId!.StartsWith("stranger", StringComparison.Ordinal))
                Assert.All(group, x => Assert.Equal(EventOutcome.NotOurs, x.Second.Outcome));
            else
                Assert.Equal([EventOutcome.Applied, .. Enumerable.Repeat(EventOutcome.Duplicate, group.Count() - 1)],
                    group.Select(x => x.Second.Outcome!.Value).Order().ToList());
        }
        Assert.All(outcomes, o => Assert.Null(o.Error));
        // One store per event without batching; far fewer with it (at most two batches are stored at once).
        Assert.True(stores.Opened <= events.Count / 4, $"{stores.Opened} stores opened for {events.Count} events");
        for (var i = 0; i < contracts.Count; i++)
            await AssertFundedOnceAsync(contracts[i].Id, invoices[i]);
    }

    [Fact]
    public async Task A_bad_event_among_concurrent_ones_fails_only_its_own_caller()
    {
        var clock = Build.Clock();
        var (contracts, invoices) = await OpenInvoicesAsync(clock, 24);
        var handler = new PaymentEventHandler(new EfContractStoreFactory(database.NewContext), clock);
        var events = invoices.Select(i => Build.Settled(i, clock, Build.Unique("evt"), Build.Unique("pay"))).ToList();
        events[5] = events[5] with { EventId = "" }; // no id: cannot be deduplicated, so it is refused

        var outcomes = await SendAllAtOnceAsync(handler, events);

        Assert.IsType<InvalidInputException>(outcomes[5].Error);
        Assert.Equal(MilestoneState.Pending, (await database.LoadAsync(contracts[5].Id)).Milestones[0].State);
        foreach (var i in Enumerable.Range(0, events.Count).Where(i => i != 5))
        {
            Assert.Equal(EventOutcome.Applied, outcomes[i].Outcome);
            await AssertFundedOnceAsync(contracts[i].Id, invoices[i]);
        }
    }

    [Fact]
    public async Task A_batch_that_conflicts_with_another_writer_is_loaded_and_stored_again_keeping_both()
    {
        var clock = Build.Clock();
        var (contracts, invoices) = await OpenInvoicesAsync(clock, 16);
        // Just before the first batch of several contracts is saved, staff revoke the client's link on one of them.
        var victim = Guid.Empty;
        var stores = new CountingStores(new EfContractStoreFactory(database.NewContext), beforeFirstBatchSave: batch =>
        {
            victim = batch.First().Id;
            return database.ActAsync(victim, c => c.RevokePartyLink(PartyRole.Client, Build.Agency, clock.GetUtcNow()));
        });
        var handler = new PaymentEventHandler(stores, clock);
        var events = invoices.Select(i => Build.Settled(i, clock, Build.Unique("evt"), Build.Unique("pay"))).ToList();

        var outcomes = await SendAllAtOnceAsync(handler, events);

        Assert.True(stores.BatchSaves >= 2, "the conflicting batch was not loaded and saved again");
        Assert.True(stores.Conflicts >= 1, "the staged conflict did not happen");
        Assert.All(outcomes, o => Assert.Equal(EventOutcome.Applied, o.Outcome));
        for (var i = 0; i < contracts.Count; i++)
            await AssertFundedOnceAsync(contracts[i].Id, invoices[i]);
        Assert.NotNull((await database.LoadAsync(victim)).PartyAccess.Single(a => a.Role == PartyRole.Client).RevokedAt);
    }

    private async Task<(List<Contract> Contracts, List<FundingInvoice> Invoices)> OpenInvoicesAsync(FakeTimeProvider clock, int count)
    {
        var contracts = new List<Contract>();
        var invoices = new List<FundingInvoice>();
        for (var i = 0; i < count; i++)
        {
            var contract = Build.Draft(clock);
            Build.Activate(contract, clock);
            invoices.Add(Build.Invoice(contract, clock, Build.Unique("inv"), 1));
            contracts.Add(contract);
        }
        await using var store = database.NewStore();
        await store.AddManyAsync(contracts, CancellationToken.None);
        return (contracts, invoices);
    }

    /// <summary>Every event from its own task, released at the same moment (an awaited gate: no pool thread is held waiting).</summary>
    private static async Task<(EventOutcome? Outcome, Exception? Error)[]> SendAllAtOnceAsync(PaymentEventHandler handler, IReadOnlyList<InboundPaymentEvent> events)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = events.Select(e => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                return ((EventOutcome?)await handler.HandleAsync(e, CancellationToken.None), (Exception?)null);
            }
            catch (Exception x)
            {
                return (null, x);
            }
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(senders);
    }

    private async Task AssertFundedOnceAsync(Guid contractId, FundingInvoice invoice)
    {
        var stored = await database.LoadAsync(contractId);
        Assert.Equal(MilestoneState.Funded, stored.Milestones[0].State);
        Assert.Equal(invoice.Amount, stored.Milestones[0].Funded);
        Assert.Single(stored.Payments);
        await using var log = database.NewStore();
        var verification = AuditChain.Verify(await log.ReadAsync(contractId, CancellationToken.None));
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal((stored.AuditCount, stored.AuditHeadHash), (verification.EntryCount, verification.HeadHash));
    }

    /// <summary>Counts the stores opened and batch saves, and can stage a write by someone else before the first batch save.</summary>
    private sealed class CountingStores(IContractStoreFactory inner, Func<IReadOnlyCollection<Contract>, Task>? beforeFirstBatchSave = null) : IContractStoreFactory
    {
        private int _opened;
        private int _batchSaves;
        private int _conflicts;

        public int Opened => _opened;
        public int BatchSaves => _batchSaves;
        public int Conflicts => _conflicts;

        private Func<IReadOnlyCollection<Contract>, Task>? Stage => beforeFirstBatchSave;

        public IContractStore Open()
        {
            Interlocked.Increment(ref _opened);
            return new Store(inner.Open(), this);
        }

        private sealed class Store(IContractStore inner, CountingStores owner) : DelegatingContractStore(inner)
        {
            public override async Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
            {
                if (contracts.Count > 1 && Interlocked.Increment(ref owner._batchSaves) == 1 && owner.Stage is { } stage)
                    await stage(contracts);
                try
                {
                    await base.SaveManyAsync(contracts, cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref owner._conflicts);
                    throw;
                }
            }
        }
    }
}
