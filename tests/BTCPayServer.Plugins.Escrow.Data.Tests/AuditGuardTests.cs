using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// An audit entry changed directly in the database (append-only triggers disabled or dropped, as an attacker with the
/// database role could): no money moves for that contract, whoever asks (client, agency, timer, outbox worker), and the
/// staff list flags it. Acts that move no money still go through.
/// </summary>
public abstract class AuditGuardTests(StoreDatabase database)
{
    private readonly FakeTimeProvider _clock = Build.Clock();
    private readonly RecordingGateway _gateway = new();
    private readonly string _storeId = Build.Unique("store");

    [Fact]
    public async Task A_tampered_audit_log_stops_approval_ruling_auto_approval_cancellation_and_the_outbox()
    {
        // Contract A: all three milestones funded with 10 USD too much (that excess goes back at once: a queued refund),
        // milestone 1 delivered, milestone 2 in an escalated dispute. Contract B: one milestone funded, nothing else.
        var (a, clientToken) = await StoredAsync(3, overpay: 10m);
        await database.ActAsync(a.Id, c =>
        {
            c.SubmitDeliverable(Lifecycle.M(c, 1), "Done", [], [], _clock.GetUtcNow());
            c.OpenDispute(Lifecycle.M(c, 2), PartyRole.Client, "Incomplete", _clock.GetUtcNow());
            c.EscalateDispute(Lifecycle.M(c, 2), Build.Agency, _clock.GetUtcNow());
        });
        var (b, _) = await StoredAsync(1, overpay: 0m);
        var healthy = (await StoredAsync(1, overpay: 5m)).Contract; // untouched: its refund goes out
        Assert.Single((await database.LoadAsync(a.Id)).Payouts);

        await database.TamperWithAuditEntryAsync(a.Id, 3, """{"party":"Attacker"}""");
        await database.TamperWithAuditEntryAsync(b.Id, 2, """{"title":"Changed"}""");
        var before = (await Snapshot(a.Id), await Snapshot(b.Id));

        var stores = new EfContractStoreFactory(database.NewContext);
        var settings = new EfStoreSettingsStore(database.NewContext, _clock);
        var party = new PartyActions(stores, _gateway, settings, _clock);
        var agency = new AgencyDecisions(stores, _clock);
        var drafting = new ContractDrafting(stores, _clock);

        _clock.Advance(TimeSpan.FromDays(20)); // past milestone 1's review window: the timer would auto-approve
        Assert.Equal(0, await new TimerSweep(OnlyMine(stores, a.Id), _clock).RunDueAsync(CancellationToken.None));
        var approve = await Assert.ThrowsAsync<AuditLogBrokenException>(() => party.ApproveAsync(clientToken, Lifecycle.M(a, 1), CancellationToken.None));
        Assert.Equal("This contract's audit log does not verify; no money can move until the agency investigates.", approve.Message);
        await Assert.ThrowsAsync<AuditLogBrokenException>(() =>
            agency.RuleOnDisputeAsync(_storeId, a.Id, Lifecycle.M(a, 2), 100m, "Half", Build.Agency, CancellationToken.None));
        await Assert.ThrowsAsync<AuditLogBrokenException>(() => drafting.CancelAsync(_storeId, b.Id, "Client left", Build.Agency, CancellationToken.None));
        var dispatched = await new PayoutDispatcher(OnlyMine(stores, a.Id, b.Id, healthy.Id), _gateway, settings, _clock).DispatchDueAsync(CancellationToken.None);

        // Nothing moved: no new instruction, no pull payment, milestones as they were; only the healthy contract paid.
        Assert.Equal(1, dispatched);
        Assert.Equal([healthy.Id], _gateway.PullPayments.Select(p => p.ContractId));
        var (afterA, afterB) = (await database.LoadAsync(a.Id), await database.LoadAsync(b.Id));
        Assert.Equal(before, (Describe(afterA), Describe(afterB)));
        var refund = Assert.Single(afterA.Payouts);
        // Marked by the refused acts, the contract is not even picked up by the outbox worker (see the next test for one it meets first).
        Assert.Equal((PayoutStatus.Queued, null, null), (refund.Status, refund.PullPaymentId, refund.LastError));
        Assert.Equal([MilestoneState.Submitted, MilestoneState.Disputed, MilestoneState.Funded], afterA.Milestones.OrderBy(m => m.Number).Select(m => m.State));
        Assert.Equal(ContractState.Active, afterB.State);
        Assert.Empty(afterB.Payouts);
        Assert.Contains("Entry 3 was changed", afterA.AuditProblem);
        Assert.Contains("Entry 2 was changed", afterB.AuditProblem);

        // Acts that move no money still go through.
        await party.PostDisputeMessageAsync(clientToken, Lifecycle.M(a, 2), "Still waiting.", CancellationToken.None);

        // The list flags both, and only them, at its usual cost.
        var list = await new EfContractQueries(database.NewContext).ListContractsAsync(new ContractListQuery(_storeId), CancellationToken.None);
        Assert.Equal(new[] { a.Id, b.Id }.Order(), list.Rows.Where(r => r.AuditBroken).Select(r => r.Id).Order());
        Assert.False(list.Rows.Single(r => r.Id == healthy.Id).AuditBroken);
    }

    [Theory]
    [InlineData("entry")]
    [InlineData("head")]
    public async Task The_outbox_worker_checks_the_stored_log_before_paying_and_refuses_with_a_reason_staff_see(string tampered)
    {
        var (contract, _) = await StoredAsync(1, overpay: 3m);
        var stored = await database.LoadAsync(contract.Id);
        if (tampered == "entry")
            await database.TamperWithAuditEntryAsync(contract.Id, 2, """{"title":"Changed"}""");
        else // the row's head forged, as if the last entry had been deleted: the entries alone still chain correctly
            await database.ExecuteAsync($"UPDATE {database.Table("Contracts")} SET \"AuditCount\" = {{0}} WHERE \"Id\" = {{1}}", stored.AuditCount + 1, contract.Id);

        var dispatched = await new PayoutDispatcher(OnlyMine(new EfContractStoreFactory(database.NewContext), contract.Id), _gateway,
            new EfStoreSettingsStore(database.NewContext, _clock), _clock).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(0, dispatched);
        Assert.Empty(_gateway.PullPayments);
        var after = await database.LoadAsync(contract.Id);
        Assert.NotNull(after.AuditProblem);
        var refund = Assert.Single(after.Payouts);
        Assert.Equal((PayoutStatus.Queued, null, AuditLogBrokenException.Refusal), (refund.Status, refund.PullPaymentId, refund.LastError));
        // Marked: the worker no longer even picks it up.
        await using var store = database.NewStore();
        Assert.DoesNotContain(contract.Id, await store.FindWithDuePayoutsAsync(_clock.GetUtcNow().AddDays(1), 10_000, CancellationToken.None));
    }

    private async Task<(Contract Contract, string ClientToken)> StoredAsync(int milestones, decimal overpay)
    {
        var contract = Build.Draft(_clock, _storeId, Build.Terms(milestones));
        var (clientToken, _) = Build.Activate(contract, _clock);
        var invoice = Build.Invoice(contract, _clock, Build.Unique("inv"), Enumerable.Range(1, milestones).ToArray());
        var paid = invoice.Amount + Money.Of(overpay, invoice.Amount.Currency);
        contract.ApplyPaymentEvent(new Core.Funding.InboundPaymentEvent(Build.Unique("evt"), Core.Funding.InboundEventKind.InvoiceSettled, _clock.GetUtcNow(),
            invoice.InvoiceId, [Build.Payment(paid, Build.Unique("pay"), 50_000m)]), _clock.GetUtcNow());
        await database.AddAsync(contract);
        return (contract, clientToken);
    }

    private async Task<string> Snapshot(Guid contractId) => Describe(await database.LoadAsync(contractId));

    private static string Describe(Contract c) =>
        $"{c.State}|{c.AuditCount}|{string.Join(",", c.Milestones.OrderBy(m => m.Number).Select(m => $"{m.State}:{m.Held}"))}|" +
        string.Join(",", c.Payouts.Select(p => $"{p.Key}:{p.Status}:{p.PullPaymentId}"));

    /// <summary>The real stores, but background work sees only this test's contracts (the database is shared).</summary>
    private static IContractStoreFactory OnlyMine(IContractStoreFactory inner, params Guid[] ids) => new Scoped(inner, ids);

    private sealed class Scoped(IContractStoreFactory inner, Guid[] ids) : IContractStoreFactory
    {
        public IContractStore Open() => new Store(inner.Open(), ids);

        private sealed class Store(IContractStore inner, Guid[] ids) : DelegatingContractStore(inner)
        {
            public override async Task<IReadOnlyList<Guid>> FindDueForTimersAsync(DateTimeOffset now, int max, CancellationToken ct) =>
                (await base.FindDueForTimersAsync(now, 10_000, ct)).Where(ids.Contains).ToList();

            public override async Task<IReadOnlyList<Guid>> FindWithDuePayoutsAsync(DateTimeOffset now, int max, CancellationToken ct) =>
                (await base.FindWithDuePayoutsAsync(now, 10_000, ct)).Where(ids.Contains).ToList();
        }
    }

    private sealed class RecordingGateway : IPaymentGateway
    {
        public List<PullPaymentRequest> PullPayments { get; } = [];

        public Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No invoice is expected.");

        public Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken)
        {
            PullPayments.Add(request);
            var id = Build.Unique("pp");
            return Task.FromResult(new CreatedPullPayment(id, $"https://pay.example.com/pp/{id}"));
        }

        public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
