using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>What the client is asked to pay for the milestones chosen.</summary>
public sealed record FundingRequest(Guid ContractId, IReadOnlyList<Guid> MilestoneIds, Money Amount, string Description);

// Funding: invoices, the payments the gateway reports, and where each payment's money goes.
public sealed partial class Contract
{
    /// <summary>Checks that these milestones can be funded now and says how much to invoice.</summary>
    public FundingRequest RequestFunding(IReadOnlyCollection<Guid> milestoneIds)
    {
        EnsureState("funded", ContractState.Active);
        if (milestoneIds.Count == 0)
            throw new InvalidInputException("milestoneIds", "Choose at least one milestone to fund.");
        var milestones = milestoneIds.Distinct().Select(Milestone).OrderBy(m => m.Number).ToList();
        foreach (var m in milestones)
            m.EnsureState("funded", MilestoneState.Pending);
        var amount = milestones.Aggregate(Money.Zero(Currency), (sum, m) => sum + m.Outstanding);
        var names = string.Join(", ", milestones.Select(m => $"#{m.Number}"));
        return new FundingRequest(Id, milestones.Select(m => m.Id).ToList(), amount, $"{Title}: milestone {names}");
    }

    /// <summary>Remembers the invoice the gateway created for a funding request.</summary>
    public FundingInvoice RegisterFundingInvoice(FundingRequest request, string invoiceId, string checkoutLink, DateTimeOffset now)
    {
        var at = Moment(now);
        if (request.ContractId != Id)
            throw new EscrowException("funding.other-contract", "This funding request belongs to another contract.");
        foreach (var milestoneId in request.MilestoneIds)
            Milestone(milestoneId);
        if (string.IsNullOrWhiteSpace(invoiceId) || invoiceId.Length > 200 || _invoices.Any(i => i.InvoiceId == invoiceId))
            throw new EscrowException("funding.invoice-id", "The payment gateway returned an invoice id that is empty or already used.");
        var invoice = new FundingInvoice(Id, invoiceId, request.MilestoneIds, request.Amount, checkoutLink, at);
        _invoices.Add(invoice);
        Record(at, Actor.Client, "invoice.created", ("invoiceId", invoiceId), ("amount", request.Amount),
            ("milestones", string.Join(",", request.MilestoneIds.Select(id => Milestone(id).Number))));
        return invoice;
    }

    public FundingInvoice? OpenInvoiceFor(IReadOnlyCollection<Guid> milestoneIds) =>
        _invoices.LastOrDefault(i => i.IsOpen && i.MilestoneIds.Order().SequenceEqual(milestoneIds.Distinct().Order()));

    /// <summary>
    /// Applies one gateway event. Returns false when this event id was already applied, so duplicates change nothing.
    /// Events may arrive in any order: a payment is counted once whichever event reports it first.
    /// </summary>
    public bool ApplyPaymentEvent(InboundPaymentEvent e, DateTimeOffset now)
    {
        var at = Moment(now);
        if (string.IsNullOrWhiteSpace(e.EventId) || e.EventId.Length > 200)
            throw new InvalidInputException("eventId", "A payment event needs an id of at most 200 characters.");
        if (_processedEvents.Any(p => p.EventId == e.EventId))
            return false;
        if (e.Kind == InboundEventKind.PayoutCompleted)
            CompletePayout(e, at);
        else
            ApplyInvoiceEvent(e, at);
        _processedEvents.Add(new ProcessedEvent(Id, e.EventId, e.Kind, at));
        return true;
    }

    /// <summary>The agency takes a payment that arrived after its invoice expired as funding.</summary>
    public void AcceptLatePayment(string paymentId, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        var payment = LatePayment(paymentId);
        Record(at, by, "payment.late-accepted", ("paymentId", payment.PaymentId), ("amount", payment.Credited));
        Count(payment, _invoices.First(i => i.InvoiceId == payment.InvoiceId), at);
    }

    /// <summary>The agency sends a late payment back to the client instead of counting it.</summary>
    public PayoutInstruction RefundLatePayment(string paymentId, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        var payment = LatePayment(paymentId);
        payment.SetStatus(PaymentStatus.Refunded);
        var value = Fx == FxPolicy.BtcLocked && payment.Btc.IsPositive ? payment.Btc : payment.Credited;
        var instruction = Queue($"{Id:N}/payment/{payment.PaymentId}/late-refund", null, PayoutKind.Refund, PartyRole.Client,
            payment.Credited, value, $"{Title}: refund of a late payment", at, payment.InvoiceId);
        Record(at, by, "payment.late-refunded", ("paymentId", payment.PaymentId), ("amount", payment.Credited), ("payout", value));
        return instruction;
    }

    private LedgerPayment LatePayment(string paymentId)
    {
        var payment = _payments.FirstOrDefault(p => p.PaymentId == paymentId) ?? throw new NotFoundException("That payment");
        if (payment.Status != PaymentStatus.AwaitingAcceptance)
            throw new InvalidTransitionException("payment.not-late", "Only a late payment waiting for a decision can be accepted or refunded.");
        return payment;
    }

    private void ApplyInvoiceEvent(InboundPaymentEvent e, DateTimeOffset at)
    {
        var invoice = _invoices.FirstOrDefault(i => i.InvoiceId == e.InvoiceId)
            ?? throw new NotFoundException($"Invoice {e.InvoiceId} of this contract");
        foreach (var report in e.PaymentList)
            EnsureReport(report);
        switch (e.Kind)
        {
            case InboundEventKind.PaymentReceived:
                foreach (var report in e.PaymentList)
                    Know(report, invoice, invoice.IsOpen ? PaymentStatus.Received : PaymentStatus.AwaitingAcceptance, at);
                break;
            case InboundEventKind.InvoiceSettled:
            case InboundEventKind.InvoiceExpired:
                var settled = e.Kind == InboundEventKind.InvoiceSettled;
                if (invoice.Status is InvoiceStatus.New or InvoiceStatus.Invalid || (settled && invoice.Status == InvoiceStatus.Expired))
                {
                    invoice.Close(settled ? InvoiceStatus.Settled : InvoiceStatus.Expired, at);
                    Record(at, Actor.PaymentProvider, settled ? "invoice.settled" : "invoice.expired", ("invoiceId", invoice.InvoiceId));
                }
                foreach (var report in e.PaymentList)
                {
                    var payment = Know(report, invoice, PaymentStatus.Received, at);
                    if (payment.Status is PaymentStatus.Received or PaymentStatus.Invalidated)
                        Count(payment, invoice, at);
                }
                break;
            case InboundEventKind.InvoiceInvalid:
                Invalidate(invoice, at);
                break;
            case InboundEventKind.PaidAfterExpiry:
                foreach (var report in e.PaymentList)
                {
                    var payment = Know(report, invoice, PaymentStatus.AwaitingAcceptance, at);
                    if (payment.Status == PaymentStatus.Received)
                    {
                        payment.SetStatus(PaymentStatus.AwaitingAcceptance);
                        Record(at, Actor.PaymentProvider, "payment.late", ("paymentId", payment.PaymentId), ("amount", payment.Credited));
                    }
                }
                break;
            default:
                throw new InvalidInputException("kind", $"Unknown payment event kind {e.Kind}.");
        }
    }

    private void EnsureReport(PaymentReport report)
    {
        if (string.IsNullOrWhiteSpace(report.PaymentId) || report.PaymentId.Length > 200)
            throw new InvalidInputException("paymentId", "A payment needs an id of at most 200 characters.");
        if (report.Credited.Currency != Currency)
            throw new InvalidInputException("credited", $"A payment must be credited in the contract currency ({Currency}), not {report.Credited.Currency}.");
        if (report.Credited.Amount < 0 || report.Crypto.Amount < 0 || report.Rate < 0)
            throw new InvalidInputException("credited", "A payment cannot be negative.");
    }

    /// <summary>Returns the ledger's record of a payment, adding it the first time it is reported.</summary>
    private LedgerPayment Know(PaymentReport report, FundingInvoice invoice, PaymentStatus initial, DateTimeOffset at)
    {
        var payment = _payments.FirstOrDefault(p => p.PaymentId == report.PaymentId);
        if (payment is not null)
            return payment;
        payment = new LedgerPayment(Id, report, invoice.InvoiceId, initial, at);
        _payments.Add(payment);
        Record(at, Actor.PaymentProvider, initial == PaymentStatus.AwaitingAcceptance ? "payment.late" : "payment.received",
            ("invoiceId", invoice.InvoiceId), ("paymentId", payment.PaymentId), ("amount", payment.Credited),
            ("crypto", payment.Crypto), ("rate", payment.Rate), ("method", payment.Method));
        return payment;
    }

    /// <summary>Counts a payment: fills the invoice's milestones in order, and whatever is left becomes credit.</summary>
    private void Count(LedgerPayment payment, FundingInvoice invoice, DateTimeOffset at)
    {
        payment.SetStatus(PaymentStatus.Counted);
        // A payment re-counted after an invalidation only brings in what that invalidation actually took back.
        var stillAllocated = _allocations.Where(a => a.PaymentId == payment.PaymentId && !a.Reversed).ToList();
        var remaining = stillAllocated.Aggregate(payment.Credited, (left, a) => left - a.Amount);
        var remainingBtc = Money.Max(stillAllocated.Aggregate(payment.Btc, (left, a) => left - a.Btc), Money.Zero("BTC"));
        if (!remaining.IsPositive)
            return;
        if (State == ContractState.Active)
        {
            foreach (var milestone in invoice.MilestoneIds.Select(Milestone).Where(m => m.State == MilestoneState.Pending).OrderBy(m => m.Number))
            {
                var part = Money.Min(milestone.Outstanding, remaining);
                if (!part.IsPositive)
                    continue;
                var btc = part == remaining ? remainingBtc : remainingBtc.MultiplyDown(part.Amount / remaining.Amount);
                Allocate(payment, milestone, part, btc, at);
                remaining -= part;
                remainingBtc -= btc;
            }
        }
        if (remaining.IsPositive)
        {
            _allocations.Add(new Allocation(Id, payment.PaymentId, null, remaining, remainingBtc));
            AddCredit(remaining, remainingBtc, Actor.PaymentProvider, payment.PaymentId, at);
        }
    }

    private void Allocate(LedgerPayment payment, Milestone milestone, Money part, Money btc, DateTimeOffset at)
    {
        _allocations.Add(new Allocation(Id, payment.PaymentId, milestone.Id, part, btc));
        milestone.AddFunding(part, btc);
        Record(at, Actor.PaymentProvider, "milestone.funding-received", ("milestone", milestone.Number), ("paymentId", payment.PaymentId),
            ("amount", part), ("btc", btc), ("funded", milestone.Funded), ("required", milestone.Required));
        if (milestone.Outstanding.IsZero)
        {
            milestone.MoveTo(MilestoneState.Funded, "funded", at);
            Record(at, Actor.PaymentProvider, "milestone.funded", ("milestone", milestone.Number), ("funded", milestone.Funded), ("btc", milestone.FundedBtc));
        }
    }

    /// <summary>Overpayment: rolls forward to the next unfunded milestones, or goes back to the client, per the terms.</summary>
    private void AddCredit(Money amount, Money btc, Actor by, string source, DateTimeOffset at)
    {
        Credit += amount;
        CreditBtc += btc;
        Record(at, by, "credit.added", ("source", source), ("amount", amount), ("btc", btc), ("credit", Credit));
        if (State == ContractState.Active && Overpayment == OverpaymentHandling.RollForward)
            ApplyCredit(by, at);
        else
            RefundCredit(by, at);
    }

    private void ApplyCredit(Actor by, DateTimeOffset at)
    {
        foreach (var milestone in _milestones.Where(m => m.State == MilestoneState.Pending).OrderBy(m => m.Number))
        {
            var part = Money.Min(milestone.Outstanding, Credit);
            if (!part.IsPositive)
                break;
            var btc = part == Credit ? CreditBtc : CreditBtc.MultiplyDown(part.Amount / Credit.Amount);
            Credit -= part;
            CreditBtc -= btc;
            milestone.AddFunding(part, btc);
            Record(at, by, "credit.applied", ("milestone", milestone.Number), ("amount", part), ("btc", btc), ("credit", Credit));
            if (milestone.Outstanding.IsZero)
            {
                milestone.MoveTo(MilestoneState.Funded, "funded", at);
                Record(at, by, "milestone.funded", ("milestone", milestone.Number), ("funded", milestone.Funded), ("btc", milestone.FundedBtc));
            }
        }
    }

    private void RefundCredit(Actor by, DateTimeOffset at)
    {
        if (!Credit.IsPositive)
            return;
        var sequence = _payouts.Count(p => p.MilestoneId is null && p.Key.Contains("/credit/")) + 1;
        var value = Fx == FxPolicy.BtcLocked && CreditBtc.IsPositive ? CreditBtc : Credit;
        Queue($"{Id:N}/credit/{sequence}/refund", null, PayoutKind.Refund, PartyRole.Client, Credit, value, $"{Title}: refund of credit", at);
        Record(at, by, "credit.refunded", ("amount", Credit), ("payout", value));
        Credit = Money.Zero(Currency);
        CreditBtc = Money.Zero("BTC");
    }

    /// <summary>
    /// The invoice did not confirm. Money still held for it is taken back; money already decided on cannot be,
    /// and is flagged for the agency instead.
    /// </summary>
    private void Invalidate(FundingInvoice invoice, DateTimeOffset at)
    {
        if (invoice.Status == InvoiceStatus.Invalid)
            return;
        invoice.Close(InvoiceStatus.Invalid, at);
        Record(at, Actor.PaymentProvider, "invoice.invalid", ("invoiceId", invoice.InvoiceId));
        foreach (var payment in _payments.Where(p => p.InvoiceId == invoice.InvoiceId && p.Status is PaymentStatus.Received or PaymentStatus.Counted))
        {
            payment.SetStatus(PaymentStatus.Invalidated);
            foreach (var allocation in _allocations.Where(a => a.PaymentId == payment.PaymentId && !a.Reversed))
                TryReverse(allocation, at);
        }
    }

    private void TryReverse(Allocation allocation, DateTimeOffset at)
    {
        if (allocation.MilestoneId is { } milestoneId)
        {
            var milestone = Milestone(milestoneId);
            if (milestone.State is MilestoneState.Pending or MilestoneState.Funded && milestone.Held >= allocation.Amount)
            {
                milestone.RemoveFunding(allocation.Amount, allocation.Btc);
                allocation.Reverse();
                if (milestone.State == MilestoneState.Funded)
                    milestone.MoveTo(MilestoneState.Pending, "reopened for funding", at);
                Record(at, Actor.PaymentProvider, "milestone.funding-reversed", ("milestone", milestone.Number), ("amount", allocation.Amount), ("funded", milestone.Funded));
                return;
            }
        }
        else if (Credit >= allocation.Amount)
        {
            Credit -= allocation.Amount;
            CreditBtc = Money.Max(CreditBtc - allocation.Btc, Money.Zero("BTC"));
            allocation.Reverse();
            Record(at, Actor.PaymentProvider, "credit.reversed", ("amount", allocation.Amount), ("credit", Credit));
            return;
        }
        Record(at, Actor.PaymentProvider, "payment.invalidated-after-use", ("paymentId", allocation.PaymentId), ("amount", allocation.Amount),
            ("milestone", allocation.MilestoneId is { } id ? Milestone(id).Number : null));
    }
}
