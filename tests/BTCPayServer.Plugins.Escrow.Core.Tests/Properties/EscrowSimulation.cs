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
    Invalidate, Resettle, Amend,
}

/// <summary>One random step; A, B, C pick targets and amounts among what exists when the step runs.</summary>
public sealed record Op(OpKind Kind, int A, int B, int C);

/// <summary>The shape of a generated contract. Fixed fees are in tenths of a unit; milestones in units (see <see cref="EscrowSimulation.Unit"/>).</summary>
public sealed record Scenario(string Currency, FxPolicy Fx, FeePayer FeePayer, decimal FeePercent, int FixedFeeUnits, OverpaymentHandling Overpayment, int[] MilestoneUnits, Op[] Ops);

/// <summary>
/// Drives one contract through a generated sequence of acts and gateway events, as a host would: refused acts are
/// simply refused, events are delivered late, out of order, or twice.
/// </summary>
public sealed class EscrowSimulation
{
    private static readonly decimal[] PayFractions = [0.25m, 0.5m, 1m, 1m, 1.5m, 2m, 0.3333m];
    /// <summary>Each payment converts at its own rate: the base rate of the currency times one of these.</summary>
    private static readonly decimal[] RateFactors = [1m, 0.5m, 0.8m, 1.3m, 4m, 1m];
    public static readonly decimal[] FeePercents = [0m, 2.5m, 10m, 33.33m, 50m];
    /// <summary>Fixed fees in tenths of a unit: 30 and 500 are above many milestones (a unit is the smallest milestone).</summary>
    public static readonly int[] FixedFeeTenths = [0, 0, 3, 30, 500];
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
        var milestones = scenario.MilestoneUnits.Select((u, i) => new MilestoneTerms(
            new Guid(i + 1, 0, 0, new byte[8]), $"Milestone {i + 1}", "work", Amount(scenario.Currency, u),
            DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime).AddDays(3 + i * 5), null)).ToList();
        var terms = ContractTerms.Create("Simulated", "scope",
            Party.Create("Client", "client@example.com", "client"), Party.Create("Freelancer", "freelancer@example.com", "freelancer"),
            scenario.Currency,
            FeePolicy.Create(scenario.FeePercent, FixedFee(scenario.Currency, scenario.FixedFeeUnits), scenario.FeePayer),
            scenario.Fx, scenario.Overpayment, TimeSpan.FromDays(14), TimeSpan.FromDays(7), milestones);
        Contract = Contract.CreateDraft("store-1", terms, Actor.Agency("staff"), _clock.GetUtcNow());
        Contract.Propose(Actor.Agency("staff"), _clock.GetUtcNow());
        Contract.AcceptTerms(PartyRole.Client, Contract.LatestTermsVersion!.Hash, _clock.GetUtcNow());
        Contract.AcceptTerms(PartyRole.Freelancer, Contract.LatestTermsVersion!.Hash, _clock.GetUtcNow());
        Rate = scenario.Currency switch { "BTC" => 1m, "SATS" => 100_000_000m, "JPY" => 7_500_000m, "KWD" => 15_000m, _ => 50_000m };
    }

    private int _addedMilestones;

    public Contract Contract { get; }
    private decimal Rate { get; }
    public int Invalidations { get; private set; }
    public int Amendments { get; private set; }

    /// <summary>The smallest milestone of a currency: round figures in the currency's own scale.</summary>
    public static decimal Unit(string currency) => currency switch
    {
        "BTC" => 0.001m,
        "SATS" => 1000m,
        "JPY" => 1000m,
        _ => 10m,
    };

    /// <summary>u units plus a few smallest steps of the currency, so that fees and splits must round.</summary>
    public static Money Amount(string currency, int units)
    {
        var step = 1m / (decimal)Math.Pow(10, Amounts.Currency.FromCode(currency).Precision);
        return Money.Of(units * Unit(currency) + (units % 7) * step, currency);
    }

    public static Money FixedFee(string currency, int tenths) => Money.Of(tenths * Unit(currency) / 10m, currency);
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
            case OpKind.Invalidate:
                if (Contract.Invoices.Count == 0) return;
                Produce(new InboundPaymentEvent($"evt-{++_sequence}", InboundEventKind.InvoiceInvalid, Now, Contract.Invoices[op.A % Contract.Invoices.Count].InvoiceId));
                Invalidations++;
                return;
            case OpKind.Resettle:
                Resettle(op);
                return;
            case OpKind.Amend:
                Amend(op);
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
        if (!credited.IsPositive) return;
        var rate = Contract.Currency is "BTC" or "SATS" ? Rate : Rate * RateFactors[(op.A + op.B) % RateFactors.Length];
        var crypto = Money.Of(decimal.Round(credited.Amount / rate, 8, MidpointRounding.ToZero), "BTC");
        var report = new PaymentReport($"pay-{++_sequence}", credited, crypto, rate, "BTC-CHAIN");
        Produce(new InboundPaymentEvent($"evt-{++_sequence}", InboundEventKind.PaymentReceived, Now, invoice.InvoiceId, [report]));
        Produce(new InboundPaymentEvent($"evt-{++_sequence}", kind, Now, invoice.InvoiceId, [report]));
    }

    /// <summary>The gateway settles an invoice again (e.g. staff mark an invalid invoice settled), listing the payments it knows.</summary>
    private void Resettle(Op op)
    {
        if (Contract.Invoices.Count == 0) return;
        var invoice = Contract.Invoices[op.A % Contract.Invoices.Count];
        var reports = Contract.Payments.Where(p => p.InvoiceId == invoice.InvoiceId)
            .Select(p => new PaymentReport(p.PaymentId, p.Credited, p.Crypto, p.Rate, p.Method)).ToList();
        Produce(new InboundPaymentEvent($"evt-{++_sequence}", InboundEventKind.InvoiceSettled, Now, invoice.InvoiceId, reports));
    }

    /// <summary>The agency offers an amendment of the terms in force and both parties accept it (when it is allowed at all).</summary>
    private void Amend(Op op)
    {
        var inForce = TermsCanonicalForm.Parse(Contract.TermsVersions.Single(v => v.Number == Contract.EffectiveTermsVersion).Canonical);
        var milestones = inForce.Milestones.ToList();
        var fee = inForce.Fee;
        var overpayment = inForce.Overpayment;
        var target = op.B % milestones.Count;
        var factors = new[] { 0.5m, 0.9m, 1.1m, 2m, 1.37m };
        var precision = Amounts.Currency.FromCode(Contract.Currency).Precision;
        switch (op.A % 6)
        {
            case 0:
            case 5:
                var amount = decimal.Round(milestones[target].Amount.Amount * factors[op.C % factors.Length], precision, MidpointRounding.ToZero);
                if (amount <= 0) return;
                milestones[target] = milestones[target] with { Amount = Money.Of(amount, Contract.Currency) };
                if (op.A % 6 == 5)
                    goto case 1;
                break;
            case 1:
                fee = FeePolicy.Create(FeePercents[op.C % FeePercents.Length], FixedFee(Contract.Currency, FixedFeeTenths[(op.C / 5) % FixedFeeTenths.Length]),
                    op.B % 3 == 0 ? FeePayer.Client : FeePayer.Freelancer);
                break;
            case 2:
                var id = new Guid(1000 + ++_addedMilestones, 0, 0, new byte[8]);
                milestones.Add(new MilestoneTerms(id, $"Added {_addedMilestones}", "more work", Amount(Contract.Currency, 1 + op.C % 30),
                    DateOnly.FromDateTime(Now.UtcDateTime).AddDays(10), null));
                break;
            case 3:
                if (milestones.Count == 1) return;
                milestones.RemoveAt(target);
                break;
            case 4:
                overpayment = overpayment == OverpaymentHandling.RollForward ? OverpaymentHandling.Refund : OverpaymentHandling.RollForward;
                break;
        }
        var terms = ContractTerms.Create(inForce.Title, inForce.Scope, inForce.Client, inForce.Freelancer, inForce.Currency, fee, inForce.Fx,
            overpayment, inForce.ReviewWindow, inForce.DisputeResponseWindow, milestones);
        Contract.ChangeTerms(terms, Actor.Agency("staff"), Now);
        Contract.AcceptTerms(PartyRole.Freelancer, Contract.LatestTermsVersion!.Hash, Now);
        Contract.AcceptTerms(PartyRole.Client, Contract.LatestTermsVersion!.Hash, Now);
        Amendments++;
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
        $"{Contract.State}|{Contract.Ledger}|{Contract.CreditBtc}|{string.Join(";", Contract.Milestones.Select(m => $"{m.State}:{m.Funded}:{m.FundedBtc}:{m.Held}:{m.ClientFee}"))}|" +
        $"{string.Join(";", Contract.Payouts.Select(p => $"{p.Key.Replace(Contract.Id.ToString("N"), "")}:{p.Amount}:{p.PayoutAmount}:{p.Status}"))}|{Contract.AuditCount}";
}
