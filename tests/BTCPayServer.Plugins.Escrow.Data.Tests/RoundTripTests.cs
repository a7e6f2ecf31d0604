using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>A contract reloaded in a new context is the contract that was saved: every value, every list, in order.</summary>
public abstract class RoundTripTests(StoreDatabase database)
{
    [Fact]
    public async Task A_lifecycle_saved_one_act_at_a_time_reloads_identically()
    {
        var clock = Build.Clock();
        var lifecycle = new Lifecycle(clock);
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);

        var saved = contract;
        foreach (var (step, i) in lifecycle.Steps.Select((s, i) => (s, i)))
        {
            lifecycle.Tick(i);
            saved = await database.ActAsync(contract.Id, step);
        }

        var reloaded = await database.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(saved), Snapshot.Of(reloaded));
        AssertLifecycleOutcome(reloaded, lifecycle);
    }

    [Fact]
    public async Task A_lifecycle_added_in_one_save_reloads_identically()
    {
        var clock = Build.Clock();
        var lifecycle = new Lifecycle(clock);
        var contract = Build.Draft(clock);
        lifecycle.RunAll(contract);

        await database.AddAsync(contract);

        var reloaded = await database.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(contract), Snapshot.Of(reloaded));
        AssertLifecycleOutcome(reloaded, lifecycle);
    }

    [Fact]
    public async Task Draft_milestones_removed_and_added_keep_their_order_and_leave_no_rows_behind()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);
        var terms = contract.CurrentTerms();
        var changed = Build.Terms(2);
        var kept = terms.Milestones[2] with { Title = "Kept and renamed" };
        var next = ContractTerms.Create(terms.Title, terms.Scope, terms.Client, terms.Freelancer, terms.Currency, terms.Fee, terms.Fx,
            terms.Overpayment, terms.ReviewWindow, terms.DisputeResponseWindow, [kept, changed.Milestones[0], changed.Milestones[1]]);

        var saved = await database.ActAsync(contract.Id, c => c.ChangeTerms(next, Build.Agency, clock.GetUtcNow()));

        var reloaded = await database.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(saved), Snapshot.Of(reloaded));
        Assert.Equal(["Kept and renamed", "Milestone 1", "Milestone 2"], reloaded.Milestones.Select(m => m.Title));
        Assert.Equal([1, 2, 3], reloaded.Milestones.Select(m => m.Number));
        // The milestones are the contract row's JSON list: nothing of a removed milestone is left anywhere.
        await using var db = database.NewContext();
        var stored = await db.Contracts.AsNoTracking().SingleAsync(c => c.Id == contract.Id);
        Assert.Equal(reloaded.Milestones.Select(m => m.Id), stored.Milestones.Select(m => m.Id));
    }

    [Fact]
    public async Task Credit_kept_per_payment_through_roll_forward_invalidation_resettlement_and_refund_reloads_identically()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var first = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        var second = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        await database.AddAsync(contract);
        var p = Build.Payment(Money.Of(400.25m, "USD"), Build.Unique("pay"), 50_000m);
        var q = Build.Payment(Money.Of(300m, "USD"), Build.Unique("pay"), 40_000m);
        InboundPaymentEvent Event(InboundEventKind kind, FundingInvoice invoice, params PaymentReport[] payments) =>
            new(Build.Unique("evt"), kind, clock.GetUtcNow(), invoice.InvoiceId, payments);

        Contract saved = contract;
        foreach (var step in new Action<Contract>[]
                 {
                     c => c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, first, p), clock.GetUtcNow()),  // rolls into M2, M3
                     c => c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, second, q), clock.GetUtcNow()), // nothing left to roll into: refunded at once
                     c => c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, first), clock.GetUtcNow()),
                     c => c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, first, p), clock.GetUtcNow()),
                     c => c.Cancel(Build.Agency, "Client left", clock.GetUtcNow()),
                 })
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            saved = await database.ActAsync(contract.Id, step);
        }

        var reloaded = await database.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(saved), Snapshot.Of(reloaded));
        Assert.Contains(reloaded.Allocations, a => a.IsCredit && a.Refunded && a.Amount.IsPositive);
        Assert.Contains(reloaded.Allocations, a => a.IsCredit && a.Reversed);
        Assert.Equal((Money.Zero("USD"), Money.Zero("BTC")), (reloaded.Credit, reloaded.CreditBtc));
        var btcReceived = reloaded.Payments.Aggregate(Money.Zero("BTC"), (sum, x) => sum + x.Btc);
        Assert.Equal(btcReceived, reloaded.Payouts.Aggregate(Money.Zero("BTC"), (sum, x) => sum + x.PayoutAmount));
    }

    private static void AssertLifecycleOutcome(Contract c, Lifecycle lifecycle)
    {
        Assert.Equal(ContractState.Active, c.State);
        Assert.Equal([MilestoneState.Released, MilestoneState.Resolved, MilestoneState.Pending], c.Milestones.Select(m => m.State));
        Assert.Equal(Money.Of(100.25m, "USD"), c.Milestones[0].Amount);
        Assert.Equal(Money.Of(0.00601m, "BTC"), c.Payments.Single().Crypto);
        Assert.Equal(PaymentStatus.Counted, c.Payments.Single().Status);
        Assert.Equal(50_000m, c.Payments.Single().Rate);

        var reviews = c.Milestones[0].ReviewEntries;
        Assert.Equal([ReviewEntryKind.Submission, ReviewEntryKind.ChangeRequest, ReviewEntryKind.Submission], reviews.Select(r => r.Kind));
        Assert.Equal(["https://files.example.com/draft-1", "https://figma.example.com/x"], reviews[0].Links);
        Assert.Equal([Build.FileHash('b'), Build.FileHash('c')], reviews[2].FileHashes);
        Assert.Empty(reviews[1].Links);

        var ledger = c.Ledger;
        Assert.Equal(Money.Of(300.50m, "USD"), ledger.Received);
        Assert.Equal(ledger.Received, ledger.Funded);
        Assert.Equal(Money.Zero("USD"), ledger.Balance);
        Assert.Equal(ledger.Received, ledger.ReleasedToFreelancer + ledger.FeesRetained + ledger.RefundedToClient);

        Assert.Equal(3, c.Payouts.Count);
        Assert.All(c.Payouts, p => Assert.Equal("USD", p.Amount.Currency));
        Assert.All(c.Payouts, p => Assert.Equal("BTC", p.PayoutAmount.Currency));
        Assert.Equal([PayoutStatus.Completed, PayoutStatus.Queued, PayoutStatus.Queued], c.Payouts.Select(p => p.Status));
        Assert.Equal(lifecycle.PullPaymentId, c.Payouts[0].PullPaymentId);
        var failing = Lifecycle.Payout(c, 2, PayoutKind.Refund);
        Assert.Equal((1, "Gateway unavailable"), (failing.Attempts, failing.LastError));

        var dispute = Assert.Single(c.Disputes);
        Assert.Equal(DisputeStatus.Ruled, dispute.Status);
        Assert.Equal(Money.Of(120.25m, "USD"), dispute.FreelancerShare);
        Assert.Equal(Build.Agency.Id, dispute.RuledBy);
        Assert.Equal([ProposalStatus.Rejected, ProposalStatus.Superseded], dispute.Proposals.Select(p => p.Status));
        Assert.Equal(Money.Of(150m, "USD"), dispute.Proposals[0].FreelancerAmount);
        Assert.Equal(ActorRole.Freelancer, Assert.Single(dispute.Messages).Author);

        var terms = Assert.Single(c.TermsVersions);
        Assert.Equal(TermsCanonicalForm.Hash(terms.Canonical), terms.Hash);
        Assert.True(terms.AcceptedByBoth);
        Assert.Equal(terms.Number, c.EffectiveTermsVersion);
        Assert.Equal(TermsCanonicalForm.Serialize(c.CurrentTerms()), terms.Canonical);

        Assert.Equal(3, c.ProcessedEvents.Count);
        Assert.Equal(lifecycle.InvoiceId, Assert.Single(c.Invoices).InvoiceId);
        Assert.Equal(2, c.PartyAccess.Count(a => a.IsActiveAt(a.IssuedAt)));
        Assert.Equal(FeePolicy.Create(2.5m, Money.Of(1m, "USD"), FeePayer.Freelancer), c.Fee);
        Assert.Equal("carol@example.com", c.Client.Email);
        Assert.Empty(c.UnsavedAuditEntries);
    }
}
