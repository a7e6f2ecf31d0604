using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Statements;

/// <summary>
/// A contract's statement lines. The audit log is the source: it is the one record of every money movement with its
/// moment and its exact figures at the time (allocations and settlements keep no dates of their own), and it is
/// hash-chained. Each money entry becomes a line; the contract's payments and payouts add what the entry only
/// refers to (BTC, rate and method of the payment, the pull payment of a payout).
/// </summary>
public static class StatementBuilder
{
    /// <summary>The audit entry types that make statement lines; storage reads only these for a statement.</summary>
    public static readonly IReadOnlyList<string> EntryTypes =
    [
        "payment.received", "payment.late", "payment.late-accepted",
        "milestone.funding-received", "milestone.funding-reversed",
        "credit.added", "credit.applied", "credit.reversed",
        "milestone.settled", "payout.queued",
    ];

    /// <summary>The lines of <paramref name="entries"/> (the contract's own, any order) that fall in the period, oldest first.</summary>
    public static IReadOnlyList<StatementLine> Lines(Contract contract, IEnumerable<AuditEntry> entries, StatementPeriod? period = null)
    {
        var facts = new ContractFacts(contract);
        return entries
            .Where(e => e.ContractId == contract.Id && (period is null || period.Contains(e.At)))
            .OrderBy(e => e.Sequence)
            .SelectMany(e => facts.LinesOf(e.Type, e.At, e.ReadData()))
            .ToList();
    }

    /// <summary>What one contract's payments and payouts say about the movements its audit entries record.</summary>
    private sealed class ContractFacts(Contract contract)
    {
        private readonly Dictionary<string, LedgerPayment> _payments = contract.Payments.GroupBy(p => p.PaymentId).ToDictionary(g => g.Key, g => g.First());
        private readonly Dictionary<string, PayoutInstruction> _payouts = contract.Payouts.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First());

        public IEnumerable<StatementLine> LinesOf(string type, DateTimeOffset at, IReadOnlyDictionary<string, string?> data)
        {
            var line = type switch
            {
                "payment.received" => Payment(StatementLineKind.PaymentReceived, at, data),
                "payment.late" => Payment(StatementLineKind.LatePaymentHeld, at, data),
                "payment.late-accepted" => Payment(StatementLineKind.LatePaymentAccepted, at, data),
                "milestone.funding-received" => Allocation(StatementLineKind.Credited, +1, at, data),
                "milestone.funding-reversed" => Allocation(StatementLineKind.FundingReversed, -1, at, data),
                "credit.added" => Allocation(StatementLineKind.CreditAdded, +1, at, data),
                "credit.applied" => Allocation(StatementLineKind.CreditApplied, 0, at, data),
                "credit.reversed" => Allocation(StatementLineKind.CreditReversed, -1, at, data),
                "milestone.settled" => Fee(at, data),
                "payout.queued" => Payout(at, data),
                _ => null,
            };
            return line is null ? [] : [line];
        }

        private StatementLine Payment(StatementLineKind kind, DateTimeOffset at, IReadOnlyDictionary<string, string?> data)
        {
            var payment = PaymentOf(Text(data, "paymentId"));
            var amount = AmountOf(data, "amount") ?? payment?.Credited ?? Zero;
            return Line(at, null, kind, StatementParty.Client, amount, 0, payment is not null && IsBitcoin(payment) ? payment.Btc : null, payment)
                with { InvoiceId = payment?.InvoiceId ?? Text(data, "invoiceId") };
        }

        /// <summary>Part of a payment going to a milestone or the credit, or coming back from it.</summary>
        private StatementLine Allocation(StatementLineKind kind, int sign, DateTimeOffset at, IReadOnlyDictionary<string, string?> data)
        {
            var payment = PaymentOf(Text(data, "paymentId") ?? Text(data, "source"));
            var btc = payment is null || IsBitcoin(payment) ? AmountOf(data, "btc") : null;
            return Line(at, MilestoneOf(data), kind, StatementParty.Client, AmountOf(data, "amount") ?? Zero, sign, btc, payment);
        }

        /// <summary>The fee a decision kept: in the contract currency, and in BTC when that is what it is kept in.</summary>
        private StatementLine? Fee(DateTimeOffset at, IReadOnlyDictionary<string, string?> data)
        {
            if (AmountOf(data, "fee") is not { IsPositive: true } fee)
                return null;
            return Line(at, MilestoneOf(data), StatementLineKind.Fee, StatementParty.Agency, fee, -1, BtcOf(AmountOf(data, "feeKept") ?? fee), null);
        }

        private StatementLine Payout(DateTimeOffset at, IReadOnlyDictionary<string, string?> data)
        {
            var key = Text(data, "payout") ?? "";
            var payout = _payouts.GetValueOrDefault(key);
            var amount = AmountOf(data, "amount") ?? payout?.Amount ?? Zero;
            var btc = BtcOf(AmountOf(data, "payoutAmount") ?? amount) ?? BtcOf(amount);
            var latePayment = contract.Payments.FirstOrDefault(p => key == $"{contract.Id:N}/payment/{p.PaymentId}/late-refund");
            var (kind, sign) = latePayment is not null ? (StatementLineKind.LatePaymentRefunded, 0)
                : (payout?.Kind ?? (key.EndsWith("/release", StringComparison.Ordinal) ? PayoutKind.Release : PayoutKind.Refund)) == PayoutKind.Release ? (StatementLineKind.Release, -1)
                : key.Contains("/credit/", StringComparison.Ordinal) ? (StatementLineKind.CreditRefunded, -1)
                : (StatementLineKind.Refund, -1);
            var party = kind == StatementLineKind.Release ? StatementParty.Freelancer : StatementParty.Client;
            var milestone = payout?.MilestoneId is { } id ? contract.Milestones.FirstOrDefault(m => m.Id == id)?.Number : null;
            return Line(at, milestone, kind, party, amount, sign, btc, latePayment) with
            {
                // A payout pays in what its pull payment says; the payment's own rate and method describe the way in.
                Rate = latePayment is null ? null : RatePerBtc(latePayment),
                PaymentMethod = latePayment?.Method,
                InvoiceId = payout?.SourceInvoiceId ?? latePayment?.InvoiceId,
                PullPaymentId = payout?.PullPaymentId,
            };
        }

        private StatementLine Line(DateTimeOffset at, int? milestone, StatementLineKind kind, StatementParty party, Money amount, int sign, Money? btc, LedgerPayment? payment) =>
            new(at, contract.Id, contract.Title, milestone, kind, party, NameOf(party), amount,
                sign switch { > 0 => amount, < 0 => Zero - amount, _ => Zero },
                btc, payment is null ? null : RatePerBtc(payment), payment?.Method, payment?.InvoiceId, null, payment?.PaymentId);

        private Money Zero => Money.Zero(contract.Currency);

        private string NameOf(StatementParty party) => party switch
        {
            StatementParty.Client => contract.Client.Name,
            StatementParty.Freelancer => contract.Freelancer.Name,
            _ => "",
        };

        private LedgerPayment? PaymentOf(string? paymentId) => paymentId is null ? null : _payments.GetValueOrDefault(paymentId);
    }

    private static string? Text(IReadOnlyDictionary<string, string?> data, string key) =>
        data.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static int? MilestoneOf(IReadOnlyDictionary<string, string?> data) =>
        int.TryParse(Text(data, "milestone"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>An amount as the audit log writes it (<see cref="Money.ToInvariantString"/>: "10.00 USD").</summary>
    private static Money? AmountOf(IReadOnlyDictionary<string, string?> data, string key)
    {
        var parts = Text(data, key)?.Split(' ');
        return parts is [var amount, var currency]
            && decimal.TryParse(amount, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            && Currency.TryFromCode(currency, out var c)
                ? new Money(value, c.Code)
                : null;
    }

    private static bool IsBitcoin(LedgerPayment payment) => payment.Crypto.Currency is "BTC" or "SATS";

    /// <summary>Bitcoin amounts in BTC (SATS converted); null for anything else.</summary>
    private static Money? BtcOf(Money money) => money.Currency switch
    {
        "BTC" => money,
        "SATS" => new Money(money.Amount / 100_000_000m, "BTC"),
        _ => null,
    };

    private static decimal? RatePerBtc(LedgerPayment payment) => payment.Crypto.Currency switch
    {
        "BTC" => payment.Rate,
        "SATS" => payment.Rate * 100_000_000m,
        _ => null,
    };
}
