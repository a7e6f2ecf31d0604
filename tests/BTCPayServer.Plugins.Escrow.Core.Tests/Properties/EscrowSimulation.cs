using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Properties;

public enum OpKind
{
    Fund, Pay, Deliver, Redeliver, Submit, RequestChanges, Approve, OpenDispute, ProposeSplit, AnswerSplit,
    Escalate, Rule, CancelMissed, CancelContract, AdvanceTime, RunTimers, AcceptLate, RefundLate, MakeClaimable, CompletePayout,
}

/// <summary>One random step; A, B, C pick targets and amounts among what exists when the step runs.</summary>
public sealed record Op(OpKind Kind, int A, int B, int C);

/// <summary>The shape of a generated contract.</summary>
public sealed record Scenario(string Currency, FxPolicy Fx, FeePayer FeePayer, decimal FeePercent, int FixedFeeUnits, OverpaymentHandling Overpayment, int[] MilestoneUnits, Op[] Ops);

/// <summary>
/// Drives one contract through a generated sequence of acts and gateway events, as a host would: refused acts are
/// simply refused, events are delivered late, out of order, or twice.
/// </summary>
public sealed class EscrowSimulation
{
    private static readonly decimal[] PayFractions = [0.25m, 0.5m, 1m, 1m, 1.5m, 2m];
    private static readonly InboundEventKind[] PayKinds =
        [InboundEventKind.InvoiceSettled, InboundEventKind.InvoiceSettled, InboundEventKind.InvoiceExpired, InboundEventKind.PaidAfterExpiry, InboundEventKind.InvoiceInvalid];

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly List<InboundPaymentEvent> _pending = [];
    private readonly List<InboundPaymentEvent> _delivered = [];
    private readonly bool _duplicateEveryEvent;
    private int _sequence;

    public EscrowSimulation(Scenario scenario, bool duplicateEveryEvent = false)
    {
        _duplicateEveryEvent = duplicateEveryEvent;
        var unit = scenario.Currency == "SATS" ? 1000m : scenario.Currency == "BTC" ? 0.001m : 10m;
        var milestones = scenario.MilestoneUnits.Select((u, i) => new MilestoneTerms(
            new Guid(i + 1, 0, 0, new byte[8]), $"Milestone {i + 1}", "work", Money.Of(u * unit, scenario.Currency),
            DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime).AddDays(3 + i * 5), null)).ToList();
        var terms = ContractTerms.Create("Simulated", "scope",
            Party.Create("Client", "client@example.com", "client"), Party.Create("Freelancer", "freelancer@example.com", "freelancer"),
            scenario.Currency,
            FeePolicy.Create(scenario.FeePercent, Money.Of(scenario.FixedFeeUnits * unit / 10m, scenario.Currency), scenario.FeePayer),
            scenario.Fx, scenario.Overpayment, TimeSpan.FromDays(14), TimeSpan.FromDays(7), milestones);
        Contract = Contract.CreateDraft("store-1", terms, Actor.Agency("staff"), _clock.GetUtcNow());
        Contract.Propose(Actor.Agency("staff"), _clock.GetUtcNow());
        Contract.AcceptTerms(PartyRole.Client, Contract.LatestTermsVersion!.Hash, _clock.GetUtcNow());
        Contract.AcceptTerms(PartyRole.Freelancer, Contract.LatestTermsVersion!.Hash, _clock.GetUtcNow());
        Rate = scenario.Currency switch { "BTC" => 1m, "SATS" => 100_000_000m, _ => 50_000m };
    }

    public Contract Contract { get; }
    private decimal Rate { get; }
    public int RefusedActs { get; private set; }
    public int DuplicatesIgnored { get; private set; }

    public void Run(Op op)
    {
        try
        {
            Step(op);
        }
        catch (EscrowException)
        {
            RefusedActs++; // a refused act is part of normal life: wrong state, wrong party, too late...
        }
    }

    /// <summary>Delivers every event still in flight, in the order they were produced.</summary>
    public void Drain()
    {
        while (_pending.Count > 0)
            Deliver(0);
    }

    private Milestone PickMilestone(int i) => Contract.Milestones[i % Contract.Milestones.Count];
    private PartyRole PickParty(int i) => i % 2 == 0 ? PartyRole.Client : PartyRole.Freelancer;
    private DateTimeOffset Now => _clock.GetUtcNow();

    private void Step(Op op)
    {
        switch (op.Kind)
        {
            case OpKind.Fund:
                var pending = Contract.Milestones.Where(m => m.State == MilestoneState.Pending).ToList();
                if (pending.Count == 0) return;
                var chosen = pending.Where((_, i) => ((op.A >> i) & 1) == 1).Select(m => m.Id).DefaultIfEmpty(pending[op.B % pending.Count].Id).ToList();
                var request = Contract.RequestFunding(chosen);
                Contract.RegisterFundingInvoice(request, $"inv-{++_sequence}", "https://pay.example/checkout", Now);
                return;
            case OpKind.Pay:
                Pay(op);
                return;
            case OpKind.Deliver:
                if (_pending.Count > 0) Deliver(op.A % _pending.Count);
                return;
            case OpKind.Redeliver:
                if (_delivered.Count == 0) return;
                var again = _delivered[op.A % _delivered.Count];
                var before = Snapshot();
                if (Contract.ApplyPaymentEvent(again, Now))
                    throw new InvalidOperationException($"Event {again.EventId} was applied twice.");
                if (Snapshot() != before)
                    throw new InvalidOperationException($"Redelivering {again.EventId} changed the contract.");
                DuplicatesIgnored++;
                return;
            case OpKind.Submit:
                Contract.SubmitDeliverable(PickMilestone(op.A).Id, "Here it is", ["https://files.example/d.zip"], null, Now);
                return;
            case OpKind.RequestChanges:
                Contract.RequestChanges(PickMilestone(op.A).Id, "Please change", Now);
                return;
            case OpKind.Approve:
                Contract.Approve(PickMilestone(op.A).Id, Now);
                return;
            case OpKind.OpenDispute:
                Contract.OpenDispute(PickMilestone(op.A).Id, PickParty(op.B), "Not as agreed", Now);
                return;
            case OpKind.ProposeSplit:
                var target = PickMilestone(op.A);
                Contract.ProposeSplit(target.Id, PickParty(op.B), Fraction(target.Amount, op.C), null, Now);
                return;
            case OpKind.AnswerSplit:
                var disputed = PickMilestone(op.A);
                var proposal = Contract.ActiveDispute(disputed.Id)?.OpenProposal;
                if (proposal is null) return;
                Contract.AnswerSplit(disputed.Id, proposal.Id, proposal.ProposedBy == PartyRole.Client ? PartyRole.Freelancer : PartyRole.Client, op.B % 2 == 0, Now);
                return;
            case OpKind.Escalate:
                Contract.EscalateDispute(PickMilestone(op.A).Id, Actor.Party(PickParty(op.B)), Now);
                return;
            case OpKind.Rule:
                var ruled = PickMilestone(op.A);
                Contract.RuleOnDispute(ruled.Id, Fraction(ruled.Amount, op.C), "Ruling after review", Actor.Agency("staff"), Now);
                return;
            case OpKind.CancelMissed:
                Contract.CancelMissedMilestone(PickMilestone(op.A).Id, Now);
                return;
            case OpKind.CancelContract:
                Contract.Cancel(Actor.Agency("staff"), "Client left", Now);
                return;
            case OpKind.AdvanceTime:
                _clock.Advance(TimeSpan.FromHours(new[] { 1, 30, 24 * 8, 24 * 15 }[op.A % 4]));
                return;
            case OpKind.RunTimers:
                Contract.RunTimers(Now);
                if (Contract.RunTimers(Now) != 0)
                    throw new InvalidOperationException("Running the timers twice acted twice.");
                return;
            case OpKind.AcceptLate:
            case OpKind.RefundLate:
                var late = Contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance).ToList();
                if (late.Count == 0) return;
                var payment = late[op.A % late.Count];
                if (op.Kind == OpKind.AcceptLate) Contract.AcceptLatePayment(payment.PaymentId, Actor.Agency("staff"), Now);
                else Contract.RefundLatePayment(payment.PaymentId, Actor.Agency("staff"), Now);
                return;
            case OpKind.MakeClaimable:
                var queued = Contract.Payouts.Where(p => p.Status == Payouts.PayoutStatus.Queued).ToList();
                if (queued.Count == 0) return;
                var instruction = queued[op.A % queued.Count];
                Contract.MarkPayoutClaimable(instruction.Id, $"pp-{instruction.Id:N}", "https://pay.example/claim", Now);
                return;
            case OpKind.CompletePayout:
                var claimable = Contract.Payouts.Where(p => p.PullPaymentId is not null).ToList();
                if (claimable.Count == 0) return;
                var done = claimable[op.A % claimable.Count];
                Produce(new InboundPaymentEvent($"payout-{done.PullPaymentId}", InboundEventKind.PayoutCompleted, Now, PullPaymentId: done.PullPaymentId, PayoutId: "po-1"));
                return;
        }
    }

    private void Pay(Op op)
    {
        if (Contract.Invoices.Count == 0) return;
        var invoice = Contract.Invoices[op.A % Contract.Invoices.Count];
        var kind = PayKinds[op.C % PayKinds.Length];
        if (kind == InboundEventKind.InvoiceInvalid)
        {
            Produce(new InboundPaymentEvent($"evt-{++_sequence}", kind, Now, invoice.InvoiceId));
            return;
        }
        var precision = Amounts.Currency.FromCode(Contract.Currency).Precision;
        var credited = Money.Of(decimal.Round(invoice.Amount.Amount * PayFractions[op.B % PayFractions.Length], precision, MidpointRounding.ToZero), Contract.Currency);
        var crypto = Money.Of(decimal.Round(credited.Amount / Rate, 8, MidpointRounding.ToZero), "BTC");
        var report = new PaymentReport($"pay-{++_sequence}", credited, crypto, Rate, "BTC-CHAIN");
        Produce(new InboundPaymentEvent($"evt-{++_sequence}", InboundEventKind.PaymentReceived, Now, invoice.InvoiceId, [report]));
        Produce(new InboundPaymentEvent($"evt-{++_sequence}", kind, Now, invoice.InvoiceId, [report]));
    }

    private void Produce(InboundPaymentEvent e)
    {
        // The gateway reports each happening once; re-sends are modelled by Redeliver.
        if (_pending.Concat(_delivered).All(x => x.EventId != e.EventId))
            _pending.Add(e);
    }

    private void Deliver(int index)
    {
        var e = _pending[index];
        _pending.RemoveAt(index);
        if (!Contract.ApplyPaymentEvent(e, Now))
            throw new InvalidOperationException($"A first delivery of {e.EventId} was taken for a duplicate.");
        _delivered.Add(e);
        if (_duplicateEveryEvent && Contract.ApplyPaymentEvent(e, Now))
            throw new InvalidOperationException($"Duplicate {e.EventId} applied.");
    }

    private static decimal Fraction(Money amount, int c) =>
        decimal.Round(amount.Amount * (c % 5) / 4m, Amounts.Currency.FromCode(amount.Currency).Precision, MidpointRounding.ToZero);

    /// <summary>Everything money- and state-related, as text, to compare two moments or two runs.</summary>
    public string Snapshot() =>
        $"{Contract.State}|{Contract.Ledger}|{string.Join(";", Contract.Milestones.Select(m => $"{m.State}:{m.Funded}:{m.FundedBtc}:{m.Held}"))}|" +
        $"{string.Join(";", Contract.Payouts.Select(p => $"{p.Key.Replace(Contract.Id.ToString("N"), "")}:{p.Amount}:{p.PayoutAmount}:{p.Status}"))}|{Contract.AuditCount}";
}
