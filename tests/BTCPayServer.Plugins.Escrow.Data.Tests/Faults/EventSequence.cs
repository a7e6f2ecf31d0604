using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Faults;

internal enum StepKind
{
    /// <summary>A payment happens at the gateway; its events go in flight (received, then settled/expired/late/invalid).</summary>
    Pay,
    /// <summary>One event in flight arrives, whichever it is (so events arrive out of order).</summary>
    Deliver,
    /// <summary>An event that arrived before arrives again.</summary>
    Redeliver,
    /// <summary>An event for an invoice or pull payment no contract knows (another plugin's, an orphan).</summary>
    Stranger,
    /// <summary>The freelancer delivers and the client approves: a release is queued.</summary>
    Approve,
    /// <summary>A dispute, escalated and ruled by the agency: a release and a refund are queued.</summary>
    Rule,
    /// <summary>The outbox worker makes a queued payout claimable (a pull payment exists).</summary>
    Claim,
    /// <summary>The gateway pays a claimable payout out; the payout-completed event goes in flight.</summary>
    PayoutDone,
    AcceptLate,
    RefundLate,
    Cancel,
}

internal sealed record Step(StepKind Kind, int A, int B, int C)
{
    public override string ToString() => $"{Kind}({A},{B},{C})";
}

/// <summary>
/// A generated contract and what happens to it: <see cref="Prelude"/> runs in memory before the contract is stored (so
/// sequences start from every state cheaply: funded, approved, claimable, disputed, with events still in flight), then
/// <see cref="Steps"/> run through storage, then every event still in flight arrives.
/// </summary>
internal sealed record Shape(int Money, FeePayer FeePayer, OverpaymentHandling Overpayment, int[] MilestoneUnits, int[] InvoiceMasks, Step[] Prelude, Step[] Steps, int LastEcho)
{
    public override string ToString() =>
        $"money {Money}, fee {FeePayer}, overpayment {Overpayment}, milestones [{string.Join(",", MilestoneUnits)}], invoices [{string.Join(",", InvoiceMasks)}], " +
        $"prelude {string.Join(" ", Prelude.Select(s => s.ToString()))}, stored {string.Join(" ", Steps.Select(s => s.ToString()))}, last echo {LastEcho}";
}

internal static class EventSequences
{
    public const int BatchSize = 40;

    private static readonly StepKind[] PreludeKinds =
    [
        StepKind.Pay, StepKind.Pay, StepKind.Pay, StepKind.Deliver, StepKind.Deliver, StepKind.Deliver, StepKind.Deliver,
        StepKind.Approve, StepKind.Approve, StepKind.Rule, StepKind.Claim, StepKind.Claim, StepKind.PayoutDone, StepKind.PayoutDone,
        StepKind.AcceptLate, StepKind.RefundLate,
    ];

    // Steps through storage cost a database round trip or two each; the cheap ones (Pay, PayoutDone) only put events in flight.
    private static readonly StepKind[] StoredKinds =
    [
        StepKind.Deliver, StepKind.Deliver, StepKind.Deliver, StepKind.Deliver,
        StepKind.Redeliver, StepKind.Redeliver, StepKind.Redeliver, StepKind.Redeliver,
        StepKind.Pay, StepKind.Pay, StepKind.Stranger, StepKind.Stranger,
        StepKind.Approve, StepKind.Rule, StepKind.Claim, StepKind.Claim, StepKind.PayoutDone, StepKind.PayoutDone, StepKind.PayoutDone,
        StepKind.AcceptLate, StepKind.RefundLate, StepKind.Cancel,
    ];

    private static Gen<Step> StepOf(StepKind[] kinds) =>
        Gen.Select(Gen.OneOfConst(kinds), Gen.Int[0, 63], Gen.Int[0, 63], Gen.Int[0, 63], (k, a, b, c) => new Step(k, a, b, c));

    /// <summary>
    /// Short sequences, many of them: a prelude of 1 to 10 steps in memory (a payment first, so every sequence has
    /// events), then 2 to 6 steps through storage, then whatever is still in flight arrives through storage too.
    /// </summary>
    public static readonly Gen<Shape> Shape =
        from money in Gen.Int[0, 3]
        from payer in Gen.OneOfConst(FeePayer.Freelancer, FeePayer.Client)
        from overpayment in Gen.OneOfConst(OverpaymentHandling.RollForward, OverpaymentHandling.Refund)
        from milestones in Gen.Int[1, 20].Array[1, 3]
        from invoices in Gen.Int[1, 7].Array[1, 3]
        from payment in StepOf([StepKind.Pay])
        from prelude in StepOf(PreludeKinds).Array[0, 9]
        from steps in StepOf(StoredKinds).Array[2, 6]
        from echo in Gen.Int[-63, 63]
        select new Shape(money, payer, overpayment, milestones, invoices, [payment, .. prelude], steps, echo);

    /// <summary>Contracts are stored a batch at a time (one insert transaction), then each plays its own sequence.</summary>
    public static readonly Gen<Shape[]> Batch = Shape.Array[BatchSize];
}

/// <summary>One generated sequence against one stored contract, through the real services; checks as it goes.</summary>
internal sealed class EventSequence
{
    private static readonly (string Currency, FxPolicy Fx, decimal Unit, decimal Rate)[] Monies =
    [
        ("USD", FxPolicy.BtcLocked, 10m, 50_000m),
        ("EUR", FxPolicy.FiatProtected, 10m, 40_000m),
        ("BTC", FxPolicy.NotApplicable, 0.001m, 1m),
        ("SATS", FxPolicy.NotApplicable, 1000m, 100_000_000m),
    ];
    private static readonly decimal[] Fractions = [0.25m, 0.5m, 1m, 1m, 1m, 1.5m, 2m];
    private static readonly InboundEventKind[] Endings =
    [
        InboundEventKind.InvoiceSettled, InboundEventKind.InvoiceSettled, InboundEventKind.InvoiceSettled,
        InboundEventKind.InvoiceExpired, InboundEventKind.PaidAfterExpiry, InboundEventKind.InvoiceInvalid,
    ];
    private static readonly Actor Agency = Actor.Agency("staff-faults");

    private readonly StoreDatabase _database;
    private readonly Shape _shape;
    private readonly FakeTimeProvider _clock = Build.Clock();
    private readonly ObservedStores _stores;
    private readonly PaymentEventHandler _events;
    private readonly ContractUnitOfWork _work;
    private readonly List<InboundPaymentEvent> _inFlight = [];
    private readonly List<InboundPaymentEvent> _delivered = [];
    private readonly List<string> _pullPayments = [];
    private readonly decimal _rate;
    private bool _stored;
    private int _produced;

    public EventSequence(StoreDatabase database, Shape shape, string storeId)
    {
        _database = database;
        _shape = shape;
        _stores = new ObservedStores(new EfContractStoreFactory(database.NewContext));
        _events = new PaymentEventHandler(_stores, _clock);
        _work = new ContractUnitOfWork(_stores);
        var (currency, fx, unit, rate) = Monies[shape.Money];
        _rate = rate;
        var today = DateOnly.FromDateTime(Build.Start.UtcDateTime);
        var milestones = shape.MilestoneUnits.Select((units, i) => new MilestoneTerms(
            Guid.NewGuid(), $"Milestone {i + 1}", "work", Money.Of(units * unit, currency), today.AddDays(30 * (i + 1)), null)).ToList();
        var terms = ContractTerms.Create("Fault sequence", "scope",
            Party.Create("Client", "client@example.com", "client"), Party.Create("Freelancer", "freelancer@example.com", "freelancer"),
            currency, FeePolicy.Create(2.5m, Money.Of(unit / 10m, currency), shape.FeePayer), fx, shape.Overpayment,
            TimeSpan.FromDays(14), TimeSpan.FromDays(7), milestones);
        Contract = Contract.CreateDraft(storeId, terms, Build.Agency, _clock.GetUtcNow());
        Build.Activate(Contract, _clock);
        var all = (1 << Contract.Milestones.Count) - 1;
        foreach (var generated in shape.InvoiceMasks)
        {
            var mask = (generated & all) == 0 ? 1 : generated & all;
            var request = Contract.RequestFunding(Contract.Milestones.Where((_, i) => ((mask >> i) & 1) == 1).Select(m => m.Id).ToList());
            var invoiceId = Build.Unique("inv");
            Contract.RegisterFundingInvoice(request, invoiceId, $"https://pay.example.com/i/{invoiceId}", _clock.GetUtcNow());
        }
        foreach (var step in shape.Prelude.OrderBy(Phase))
        {
            _clock.Advance(TimeSpan.FromMinutes(7));
            RunAsync(step).GetAwaiter().GetResult(); // in memory: nothing awaits for real
        }
        _stores.Last = Contract;
    }

    /// <summary>
    /// The prelude runs roughly in life order (payments, their events, decisions, the outbox, payouts), so stored
    /// sequences start from every state; neighbouring phases still mix (the step's B decides), so the prelude has
    /// early decisions and late payments too.
    /// </summary>
    private static int Phase(Step step) => step.B % 2 + step.Kind switch
    {
        StepKind.Pay => 0,
        StepKind.Deliver => 1,
        StepKind.Approve or StepKind.Rule or StepKind.AcceptLate or StepKind.RefundLate => 2,
        StepKind.Claim => 3,
        _ => 4,
    };

    /// <summary>The contract as first stored (after its prelude).</summary>
    public Contract Contract { get; }

    public Contract? Stored { get; private set; }
    public int AppliedThroughStorage { get; private set; }
    public int Duplicates { get; private set; }
    public int NotOurs { get; private set; }
    public int Reordered { get; private set; }
    public int ActsThroughStorage { get; private set; }
    public int RefusedActs { get; private set; }
    public int PayoutsCompletedThroughStorage { get; private set; }

    private Guid Id => Contract.Id;
    private DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>The contract as it is now: as stored last (only this sequence writes it), or in memory before that.</summary>
    private Contract Current => _stores.Last ?? Contract;

    /// <summary>
    /// The stored part: the generated steps, then every event still in flight arrives, in the order sent; then, for
    /// half the sequences, one of the events arrives once more (the gateway's retry after a lost acknowledgement).
    /// </summary>
    public async Task PlayAsync()
    {
        _stored = true;
        foreach (var step in _shape.Steps)
        {
            _clock.Advance(TimeSpan.FromMinutes(7));
            await RunAsync(step);
        }
        while (_inFlight.Count > 0)
            await DeliverAsync(0);
        if (_shape.LastEcho >= 0 && _delivered.Count > 0)
            await RedeliverAsync(_delivered[_shape.LastEcho % _delivered.Count]);
    }

    private async Task RunAsync(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.Pay:
                Pay(step);
                return;
            case StepKind.Deliver:
                if (_inFlight.Count > 0)
                    await DeliverAsync(step.A % _inFlight.Count);
                return;
            case StepKind.Redeliver:
                if (_delivered.Count > 0)
                    await RedeliverAsync(_delivered[step.A % _delivered.Count]);
                else if (_inFlight.Count > 0)
                    await DeliverAsync(step.A % _inFlight.Count);
                return;
            case StepKind.Stranger:
                await StrangerAsync(step);
                return;
            case StepKind.Approve:
                if (Pick(Current.Milestones.Where(m => m.State is MilestoneState.Funded or MilestoneState.ChangesRequested or MilestoneState.Submitted), step.A) is { } approved)
                    await ActAsync(c =>
                    {
                        if (c.Milestone(approved.Id).State != MilestoneState.Submitted)
                            c.SubmitDeliverable(approved.Id, "Done", ["https://files.example.com/d"], null, Now);
                        c.Approve(approved.Id, Now);
                    });
                return;
            case StepKind.Rule:
                if (Pick(Current.Milestones.Where(m => MilestoneTransitions.IsDisputable(m.State) || m.State == MilestoneState.Disputed), step.A) is { } ruled)
                    await ActAsync(c =>
                    {
                        if (c.Milestone(ruled.Id).State != MilestoneState.Disputed)
                            c.OpenDispute(ruled.Id, step.B % 2 == 0 ? PartyRole.Client : PartyRole.Freelancer, "Not as agreed", Now);
                        c.EscalateDispute(ruled.Id, Agency, Now);
                        var share = decimal.Round(ruled.Amount.Amount * (step.C % 5) / 4m, Currency.FromCode(c.Currency).Precision, MidpointRounding.ToZero);
                        c.RuleOnDispute(ruled.Id, share, "Ruling after review", Agency, Now);
                    });
                return;
            case StepKind.Claim:
                if (Pick(Current.Payouts.Where(p => p.Status == PayoutStatus.Queued), step.A) is { } queued)
                {
                    var pullPayment = Build.Unique("pp");
                    if (await ActAsync(c => c.MarkPayoutClaimable(queued.Id, pullPayment, $"https://pay.example.com/pp/{pullPayment}", Now)))
                        _pullPayments.Add(pullPayment);
                }
                return;
            case StepKind.PayoutDone:
                if (_pullPayments.Count > 0)
                    Produce(new InboundPaymentEvent(NextEventId(), InboundEventKind.PayoutCompleted, Now,
                        PullPaymentId: _pullPayments[step.A % _pullPayments.Count], PayoutId: Build.Unique("po")));
                return;
            case StepKind.AcceptLate:
            case StepKind.RefundLate:
                if (Pick(Current.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance), step.A) is { } late)
                    await ActAsync(c =>
                    {
                        if (step.Kind == StepKind.AcceptLate)
                            c.AcceptLatePayment(late.PaymentId, Agency, Now);
                        else
                            c.RefundLatePayment(late.PaymentId, Agency, Now);
                    });
                return;
            case StepKind.Cancel:
                if (Current.State == ContractState.Active)
                    await ActAsync(c => c.Cancel(Agency, "The client left", Now));
                return;
        }
    }

    private static T? Pick<T>(IEnumerable<T> candidates, int index) where T : class
    {
        var list = candidates.ToList();
        return list.Count == 0 ? null : list[index % list.Count];
    }

    /// <summary>What the gateway reports for one payment on one of the contract's invoices.</summary>
    private void Pay(Step step)
    {
        var invoice = Contract.Invoices[step.A % Contract.Invoices.Count];
        var ending = Endings[step.C % Endings.Length];
        if (ending == InboundEventKind.InvoiceInvalid && step.B % 2 == 0)
        {
            Produce(new InboundPaymentEvent(NextEventId(), ending, Now, invoice.InvoiceId));
            return;
        }
        var precision = Currency.FromCode(Contract.Currency).Precision;
        var credited = Money.Of(decimal.Round(invoice.Amount.Amount * Fractions[step.B % Fractions.Length], precision, MidpointRounding.ToZero), Contract.Currency);
        var btc = Money.Of(decimal.Round(credited.Amount / _rate, 8, MidpointRounding.ToZero), "BTC");
        var report = new PaymentReport(Build.Unique("pay"), credited, btc, _rate, step.B % 3 == 0 ? "BTC-LN" : "BTC-CHAIN");
        // Some gateways report the payment first and the invoice's fate after; some only the fate, with the payment in it.
        if (step.C % 3 != 0)
            Produce(new InboundPaymentEvent(NextEventId(), InboundEventKind.PaymentReceived, Now, invoice.InvoiceId, [report]));
        Produce(new InboundPaymentEvent(NextEventId(), ending, Now, invoice.InvoiceId, ending == InboundEventKind.InvoiceInvalid ? null : [report]));
    }

    private string NextEventId() => $"evt-{Id:N}-{++_produced}";

    private void Produce(InboundPaymentEvent e) => _inFlight.Add(e);

    private async Task DeliverAsync(int index)
    {
        var e = _inFlight[index];
        _inFlight.RemoveAt(index);
        if (_stored)
        {
            if (index > 0)
                Reordered++;
            var outcome = await _events.HandleAsync(e, CancellationToken.None);
            Ensure(outcome == EventOutcome.Applied, $"the first delivery of {e.Kind} {e.EventId} returned {outcome}");
            AppliedThroughStorage++;
            if (e.Kind == InboundEventKind.PayoutCompleted)
                PayoutsCompletedThroughStorage++;
        }
        else
        {
            Ensure(Contract.ApplyPaymentEvent(e, Now), $"the first delivery of {e.Kind} {e.EventId} was taken for a duplicate");
        }
        _delivered.Add(e);
    }

    private async Task RedeliverAsync(InboundPaymentEvent e)
    {
        if (!_stored)
        {
            Ensure(!Contract.ApplyPaymentEvent(e, Now), $"{e.Kind} {e.EventId} was applied twice");
            return;
        }
        var saves = _stores.Saves;
        var outcome = await _events.HandleAsync(e, CancellationToken.None);
        Ensure(outcome == EventOutcome.Duplicate, $"delivering {e.Kind} {e.EventId} again returned {outcome}");
        Ensure(_stores.Saves == saves, $"delivering {e.Kind} {e.EventId} again saved the contract");
        // The row as stored now is the row as stored before the duplicate (only this sequence writes this contract).
        await using var db = _database.NewContext();
        var row = await db.Contracts.Where(c => c.Id == Id)
            .Select(c => new { c.Revision, c.AuditCount, c.AuditHeadHash, Events = c.ProcessedEvents.Count(), Payments = c.Payments.Count(), Payouts = c.Payouts.Count() })
            .SingleAsync();
        var last = Current;
        Ensure(row.Revision == last.Revision && row.AuditCount == last.AuditCount && row.AuditHeadHash == last.AuditHeadHash
               && row.Events == last.ProcessedEvents.Count && row.Payments == last.Payments.Count && row.Payouts == last.Payouts.Count,
            $"delivering {e.Kind} {e.EventId} again changed the stored contract");
        Duplicates++;
    }

    private async Task StrangerAsync(Step step)
    {
        var e = (step.B % 3) switch
        {
            0 => new InboundPaymentEvent(Build.Unique("evt"), InboundEventKind.PayoutCompleted, Now, PullPaymentId: Build.Unique("pp-unknown"), PayoutId: "po"),
            1 => new InboundPaymentEvent(Build.Unique("evt"), Endings[step.C % Endings.Length], Now, Build.Unique("inv-unknown"),
                [new PaymentReport(Build.Unique("pay"), Money.Of(1m, Contract.Currency), Money.Of(0.0001m, "BTC"), _rate, "BTC-CHAIN")]),
            // An event this contract has seen, re-addressed to an invoice nobody has: the invoice decides, not the event id.
            _ => _delivered.Count > 0 && _delivered[step.C % _delivered.Count] is { Kind: not InboundEventKind.PayoutCompleted } seen
                ? seen with { InvoiceId = Build.Unique("inv-unknown") }
                : new InboundPaymentEvent(Build.Unique("evt"), InboundEventKind.PaymentReceived, Now, Build.Unique("inv-unknown")),
        };
        var saves = _stores.Saves;
        var outcome = await _events.HandleAsync(e, CancellationToken.None);
        Ensure(outcome == EventOutcome.NotOurs, $"{e.Kind} for unknown {e.InvoiceId ?? e.PullPaymentId} returned {outcome}");
        Ensure(_stores.Saves == saves, "an event for an unknown invoice or pull payment saved a contract");
        NotOurs++;
    }

    /// <summary>
    /// One act of a person or worker: in memory during the prelude, else as the application services run it (load,
    /// act, save). Refusals are normal (the act came too late); returns whether the act was done.
    /// </summary>
    private async Task<bool> ActAsync(Action<Contract> act)
    {
        try
        {
            if (!_stored)
            {
                act(Contract);
                return true;
            }
            await _work.ActAsync((s, ct) => s.FindAsync(Id, ct), c => { act(c); return true; }, CancellationToken.None);
            ActsThroughStorage++;
            return true;
        }
        catch (EscrowException e) when (e is not ConcurrencyConflictException)
        {
            RefusedActs++;
            return false;
        }
    }

    /// <summary>Reads the contract and its audit chain back from the database and checks every rule on them.</summary>
    public async Task CheckStoredAsync()
    {
        await using var store = _database.NewStore();
        var c = await store.FindAsync(Id, CancellationToken.None) ?? throw Broken("the contract is gone");
        Stored = c;
        var zero = Money.Zero(c.Currency);
        foreach (var m in c.Milestones)
        {
            var paidOut = m.ReleasedToFreelancer + m.FeesRetained + m.RefundedToClient;
            Ensure(paidOut <= m.Funded, $"milestone {m.Number}: released + fees + refunded {paidOut} > funded {m.Funded}");
            Ensure(m.Funded <= m.Required, $"milestone {m.Number}: funded {m.Funded} beyond required {m.Required}");
            Ensure(m.Funded.Amount >= 0 && m.FundedBtc.Amount >= 0, $"milestone {m.Number}: negative funding");
            var releases = c.Payouts.Where(p => p.MilestoneId == m.Id && p.Kind == PayoutKind.Release).ToList();
            var refunds = c.Payouts.Where(p => p.MilestoneId == m.Id && p.Kind == PayoutKind.Refund).ToList();
            Ensure(releases.Count <= 1 && refunds.Count <= 1, $"milestone {m.Number}: {releases.Count} release and {refunds.Count} refund instructions for one decision");
            Ensure(releases.Aggregate(zero, (s, p) => s + p.Amount) == m.ReleasedToFreelancer, $"milestone {m.Number}: the release instruction differs from the ledger");
            Ensure(refunds.Aggregate(zero, (s, p) => s + p.Amount) == m.RefundedToClient, $"milestone {m.Number}: the refund instruction differs from the ledger");
            if (c.Fx == FxPolicy.BtcLocked)
            {
                var btcOut = releases.Concat(refunds).Where(p => p.PayoutAmount.Currency == "BTC").Aggregate(Money.Zero("BTC"), (s, p) => s + p.PayoutAmount);
                Ensure(btcOut <= m.FundedBtc, $"milestone {m.Number}: pays {btcOut} but received {m.FundedBtc}");
            }
            if (m.IsFinal && m.State != MilestoneState.Cancelled)
                Ensure(m.Held.IsZero, $"milestone {m.Number} is {m.State} but still holds {m.Held}");
        }
        var ledger = c.Ledger;
        Ensure(ledger.Balance.Amount >= 0, $"negative ledger balance: {ledger.Summary()}");
        Ensure(c.Credit.Amount >= 0, $"negative credit {c.Credit}");
        Ensure(ledger.Balance == EscrowLedger.HeldByParts(c), $"ledger balance {ledger.Balance} != held by milestones and credit {EscrowLedger.HeldByParts(c)}");
        Ensure(c.Payouts.Select(p => p.Key).Distinct().Count() == c.Payouts.Count, "two payout instructions share a key");
        Ensure(c.Payouts.All(p => p.Amount.IsPositive), "a payout instruction of zero");
        if (c.State is ContractState.Completed or ContractState.Cancelled)
            Ensure(c.Credit.IsZero, $"the {c.State} contract still holds credit {c.Credit}");
        Ensure(c.Payouts.Where(p => p.Status == PayoutStatus.Completed).All(p => _delivered.Any(e => e.PullPaymentId == p.PullPaymentId)),
            "a payout is completed without an event saying so");

        // Every event that arrived is stored once, and nothing else is.
        var processed = c.ProcessedEvents.Select(p => p.EventId).ToList();
        Ensure(processed.Count == processed.Distinct().Count(), "an event id is stored twice");
        Ensure(processed.Order().SequenceEqual(_delivered.Select(e => e.EventId).Order()),
            $"{processed.Count} event ids stored for the {_delivered.Count} events that arrived");

        // What was read back is what was last saved, value for value.
        Ensure(Snapshot.Of(c) == Snapshot.Of(Current), "the contract read back differs from the contract last saved");

        var entries = await store.ReadAsync(Id, CancellationToken.None);
        var chain = AuditChain.Verify(entries);
        Ensure(chain.IsValid, $"the stored audit chain does not verify: {chain.Problem}");
        Ensure(entries.Count == c.AuditCount, $"{entries.Count} audit entries stored, the contract counts {c.AuditCount}");
        Ensure(chain.HeadHash == c.AuditHeadHash, "the audit chain's head is not the contract's head hash");
    }

    private void Ensure(bool condition, string rule)
    {
        if (!condition)
            throw Broken(rule);
    }

    private Exception Broken(string rule) => new InvalidOperationException($"Broken: {rule}\nContract {Id}\nSequence: {_shape}");

    /// <summary>Totals over all sequences, to show the generator reached every case.</summary>
    public sealed class Totals
    {
        private long _sequences, _events, _applied, _duplicates, _notOurs, _reordered, _late, _invalid, _payouts, _completed, _acts, _refused;

        public long Sequences => Interlocked.Read(ref _sequences);
        public long AppliedThroughStorage => Interlocked.Read(ref _applied);
        public long Duplicates => Interlocked.Read(ref _duplicates);
        public long NotOurs => Interlocked.Read(ref _notOurs);
        public long Reordered => Interlocked.Read(ref _reordered);
        public long LateEvents => Interlocked.Read(ref _late);
        public long InvalidInvoices => Interlocked.Read(ref _invalid);
        public long Payouts => Interlocked.Read(ref _payouts);
        public long PayoutsCompletedThroughStorage => Interlocked.Read(ref _completed);
        public long ActsThroughStorage => Interlocked.Read(ref _acts);

        public void Add(EventSequence run)
        {
            Interlocked.Increment(ref _sequences);
            Interlocked.Add(ref _events, run._delivered.Count + run.Duplicates + run.NotOurs);
            Interlocked.Add(ref _applied, run.AppliedThroughStorage);
            Interlocked.Add(ref _duplicates, run.Duplicates);
            Interlocked.Add(ref _notOurs, run.NotOurs);
            Interlocked.Add(ref _reordered, run.Reordered);
            Interlocked.Add(ref _late, run._delivered.Count(e => e.Kind == InboundEventKind.PaidAfterExpiry));
            Interlocked.Add(ref _invalid, run.Stored!.Invoices.Count(i => i.Status == InvoiceStatus.Invalid));
            Interlocked.Add(ref _payouts, run.Stored.Payouts.Count);
            Interlocked.Add(ref _completed, run.PayoutsCompletedThroughStorage);
            Interlocked.Add(ref _acts, run.ActsThroughStorage);
            Interlocked.Add(ref _refused, run.RefusedActs);
        }

        public override string ToString() =>
            $"{Interlocked.Read(ref _events)} events in all (prelude in memory included); {AppliedThroughStorage} events applied through storage ({Reordered} out of order, {PayoutsCompletedThroughStorage} payouts completed), " +
            $"{Duplicates} duplicates, {NotOurs} for unknown invoices/pull payments, {LateEvents} late payments, {InvalidInvoices} invalid invoices, " +
            $"{Payouts} payout instructions, {ActsThroughStorage} acts stored between events, {Interlocked.Read(ref _refused)} refused";
    }
}

/// <summary>
/// The real stores, watched: remembers the contract as last saved (only one sequence writes each contract, so that
/// is what the database holds) and counts saves, so a duplicate delivery that writes anything is seen.
/// </summary>
internal sealed class ObservedStores(IContractStoreFactory inner) : IContractStoreFactory
{
    public Contract? Last { get; set; }
    public int Saves { get; private set; }

    public IContractStore Open() => new Store(this, inner.Open());

    private sealed class Store(ObservedStores owner, IContractStore inner) : DelegatingContractStore(inner)
    {
        public override async Task AddAsync(Contract contract, CancellationToken ct)
        {
            await base.AddAsync(contract, ct);
            owner.Saved(contract);
        }

        public override async Task SaveAsync(Contract contract, CancellationToken ct)
        {
            await base.SaveAsync(contract, ct);
            owner.Saved(contract);
        }

        public override async Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken ct)
        {
            await base.SaveManyAsync(contracts, ct);
            foreach (var contract in contracts)
                owner.Saved(contract);
        }
    }

    private void Saved(Contract contract)
    {
        Last = contract;
        Saves++;
    }
}
