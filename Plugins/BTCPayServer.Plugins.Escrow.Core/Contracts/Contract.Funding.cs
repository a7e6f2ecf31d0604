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
        var value = Fx == FxPolicy.BtcLocked ? payment.Btc : payment.Credited;
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
                Settle(invoice, e.PaymentList, at);
                break;
            case InboundEventKind.InvoiceExpired:
                Expire(invoice, e.PaymentList, at);
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

    /// <summary>
    /// The invoice is paid and confirmed. This is also how BTCPay reports an invalid invoice that staff marked settled,
    /// so a settlement re-counts payments an invalidation took back (only the part it really took back).
    /// </summary>
    private void Settle(FundingInvoice invoice, IReadOnlyList<PaymentReport> reports, DateTimeOffset at)
    {
        if (invoice.Status != InvoiceStatus.Settled)
        {
            invoice.Close(InvoiceStatus.Settled, at);
            Record(at, Actor.PaymentProvider, "invoice.settled", ("invoiceId", invoice.InvoiceId));
        }
        foreach (var report in reports)
        {
            var payment = Know(report, invoice, PaymentStatus.Received, at);
            if (payment.Status is PaymentStatus.Received or PaymentStatus.Invalidated)
                Count(payment, invoice, at);
        }
    }

    /// <summary>
    /// The invoice expired; partial payments it lists count. An invoice already marked invalid stays invalid: the
    /// expiry may be older news delivered late, and only a real settlement may bring an invalid payment back.
    /// </summary>
    private void Expire(FundingInvoice invoice, IReadOnlyList<PaymentReport> reports, DateTimeOffset at)
    {
        if (invoice.Status == InvoiceStatus.Invalid)
        {
            foreach (var report in reports)
                Know(report, invoice, PaymentStatus.Received, at);
            Record(at, Actor.PaymentProvider, "invoice.expired-after-invalid", ("invoiceId", invoice.InvoiceId));
            return;
        }
        if (invoice.Status == InvoiceStatus.New)
        {
            invoice.Close(InvoiceStatus.Expired, at);
            Record(at, Actor.PaymentProvider, "invoice.expired", ("invoiceId", invoice.InvoiceId));
        }
        foreach (var report in reports)
        {
            var payment = Know(report, invoice, PaymentStatus.Received, at);
            if (payment.Status == PaymentStatus.Received)
                Count(payment, invoice, at);
        }
    }

    /// <summary>Counts a payment: fills the invoice's milestones in order, and whatever is left becomes credit.</summary>
    private void Count(LedgerPayment payment, FundingInvoice invoice, DateTimeOffset at)
    {
        payment.SetStatus(PaymentStatus.Counted);
        // A payment re-counted after an invalidation only brings in what that invalidation actually took back:
        // allocations it could not take back (already paid out) still hold the rest, fiat and BTC alike.
        var stillAllocated = _allocations.Where(a => a.PaymentId == payment.PaymentId && !a.Reversed).ToList();
        var remaining = stillAllocated.Aggregate(payment.Credited, (left, a) => left - a.Amount);
        var remainingBtc = stillAllocated.Aggregate(payment.Btc, (left, a) => left - a.Btc);
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
                Allocate(payment.PaymentId, milestone, part, btc, Actor.PaymentProvider, "milestone.funding-received", at);
                remaining -= part;
                remainingBtc -= btc;
            }
        }
        if (remaining.IsPositive)
            AddCredit(payment.PaymentId, remaining, remainingBtc, at);
    }

    private void Allocate(string paymentId, Milestone milestone, Money part, Money btc, Actor by, string auditType, DateTimeOffset at)
    {
        _allocations.Add(new Allocation(Id, paymentId, milestone.Id, part, btc));
        milestone.AddFunding(part, btc);
        Record(at, by, auditType, ("milestone", milestone.Number), ("paymentId", paymentId),
            ("amount", part), ("btc", btc), ("funded", milestone.Funded), ("required", milestone.Required), ("credit", Credit));
        if (milestone.Outstanding.IsZero)
        {
            milestone.MoveTo(MilestoneState.Funded, "funded", at);
            Record(at, by, "milestone.funded", ("milestone", milestone.Number), ("funded", milestone.Funded), ("btc", milestone.FundedBtc));
        }
    }

    /// <summary>
    /// The invoice did not confirm. Whatever its payments brought is taken back wherever it still is (milestones not
    /// yet decided on, including those funded through rolled credit, and held credit); money already decided on cannot
    /// be, and is flagged for the agency instead. Milestones reopened this way take any other credit held.
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
            foreach (var allocation in _allocations.Where(a => a.PaymentId == payment.PaymentId && !a.Reversed).ToList())
                TryReverse(allocation, at);
        }
        RefreshCredit();
        SettleCredit(Actor.PaymentProvider, at);
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
                Record(at, Actor.PaymentProvider, "milestone.funding-reversed", ("milestone", milestone.Number), ("paymentId", allocation.PaymentId),
                    ("amount", allocation.Amount), ("btc", allocation.Btc), ("funded", milestone.Funded));
                return;
            }
        }
        else if (!allocation.Refunded)
        {
            allocation.Reverse();
            if (allocation.Amount.IsPositive || allocation.Btc.IsPositive)
                Record(at, Actor.PaymentProvider, "credit.reversed", ("paymentId", allocation.PaymentId), ("amount", allocation.Amount), ("btc", allocation.Btc));
            return;
        }
        Record(at, Actor.PaymentProvider, "payment.invalidated-after-use", ("paymentId", allocation.PaymentId), ("amount", allocation.Amount), ("btc", allocation.Btc),
            ("milestone", allocation.MilestoneId is { } id ? Milestone(id).Number : null));
    }
}
