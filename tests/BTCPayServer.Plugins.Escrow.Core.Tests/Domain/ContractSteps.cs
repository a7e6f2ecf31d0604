using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>Short forms of the acts tests repeat: funding, paying, delivering, releasing. Milestones are named by number.</summary>
internal static class ContractSteps
{
    /// <summary>BTC price used for fiat payments unless a test says otherwise.</summary>
    public const decimal DefaultRate = 50_000m;

    public static Milestone M(this Contract contract, int number) => contract.Milestones.Single(m => m.Number == number);

    public static void AcceptBoth(this Contract contract, DateTimeOffset at)
    {
        var hash = contract.LatestTermsVersion!.Hash;
        contract.AcceptTerms(PartyRole.Client, hash, at);
        contract.AcceptTerms(PartyRole.Freelancer, hash, at);
    }

    public static FundingInvoice Invoice(this Contract contract, params int[] numbers) => contract.InvoiceAt(Start, numbers);

    public static FundingInvoice InvoiceAt(this Contract contract, DateTimeOffset at, params int[] numbers)
    {
        var request = contract.RequestFunding(numbers.Select(n => contract.M(n).Id).ToList());
        var invoiceId = $"inv-{Guid.NewGuid():N}";
        return contract.RegisterFundingInvoice(request, invoiceId, $"https://pay.example/i/{invoiceId}", at);
    }

    /// <summary>A payment as the gateway reports it; fiat payments convert to BTC at <paramref name="rate"/> unless <paramref name="btc"/> is given.</summary>
    public static PaymentReport Payment(this Contract contract, decimal amount, decimal? btc = null, string? paymentId = null, decimal rate = DefaultRate)
    {
        var credited = Money.Of(amount, contract.Currency);
        var crypto = contract.Currency switch
        {
            "BTC" or "SATS" => credited,
            _ => Money.Of(btc ?? decimal.Round(amount / rate, 8, MidpointRounding.ToZero), "BTC"),
        };
        return new PaymentReport(paymentId ?? $"pay-{Guid.NewGuid():N}", credited, crypto, contract.Currency is "BTC" or "SATS" ? 1m : rate, "BTC-CHAIN");
    }

    public static InboundPaymentEvent Event(InboundEventKind kind, FundingInvoice invoice, params PaymentReport[] payments) =>
        new($"evt-{Guid.NewGuid():N}", kind, Start, invoice.InvoiceId, payments);

    /// <summary>The invoice settles with one payment of <paramref name="amount"/>.</summary>
    public static PaymentReport Pay(this Contract contract, FundingInvoice invoice, decimal amount, DateTimeOffset? at = null, decimal? btc = null)
    {
        var payment = contract.Payment(amount, btc);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), at ?? Start);
        return payment;
    }

    /// <summary>One invoice for these milestones, paid in full.</summary>
    public static Contract Fund(this Contract contract, params int[] numbers)
    {
        var invoice = contract.Invoice(numbers);
        contract.Pay(invoice, invoice.Amount.Amount);
        return contract;
    }

    public static void Submit(this Contract contract, int number, DateTimeOffset? at = null) =>
        contract.SubmitDeliverable(contract.M(number).Id, "Done, see the staging site.", ["https://staging.example/site"], [], at ?? Start);

    public static PayoutInstruction? ReleaseOf(this Contract contract, int number) =>
        contract.Payouts.SingleOrDefault(p => p.MilestoneId == contract.M(number).Id && p.Kind == PayoutKind.Release);

    public static PayoutInstruction? RefundOf(this Contract contract, int number) =>
        contract.Payouts.SingleOrDefault(p => p.MilestoneId == contract.M(number).Id && p.Kind == PayoutKind.Refund);

    /// <summary>The outbox worker created the pull payment for this instruction.</summary>
    public static void MakeClaimable(this Contract contract, PayoutInstruction instruction, DateTimeOffset? at = null) =>
        contract.MarkPayoutClaimable(instruction.Id, $"pp-{instruction.Id:N}", $"https://pay.example/pp/{instruction.Id:N}", at ?? Start);

    public static IReadOnlyList<string> AuditTypes(this Contract contract) => contract.UnsavedAuditEntries.Select(e => e.Type).ToList();

    public static Money Btc(decimal amount) => Money.Of(amount, "BTC");
}
