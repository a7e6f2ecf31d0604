using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// A store invoice to fund milestones. Metadata carries the ids that route the invoice's events back.
/// <see cref="RedirectUrl"/> is the escrow's token-free return address: nothing handed to a gateway carries a party's token.
/// </summary>
public sealed record FundingInvoiceRequest(
    string StoreId,
    Guid ContractId,
    IReadOnlyList<Guid> MilestoneIds,
    Money Amount,
    string Description,
    string RedirectUrl,
    string? BuyerEmail,
    IReadOnlyList<string> PaymentMethods);

public sealed record CreatedInvoice(string InvoiceId, string CheckoutLink);

/// <summary>
/// A pull payment for one payout instruction. <see cref="Reference"/> is the instruction's unique key: an adapter
/// asked twice for the same reference returns the pull payment it already made instead of making a second one.
/// <see cref="RefundOfInvoiceId"/> names the funding invoice a client refund comes from (BTCPay links refunds to it).
/// </summary>
public sealed record PullPaymentRequest(
    string StoreId,
    Guid ContractId,
    string Reference,
    PartyRole Recipient,
    Money Amount,
    string Description,
    IReadOnlyList<string> PayoutMethods,
    bool AutoApproveClaims,
    string? RefundOfInvoiceId);

public sealed record CreatedPullPayment(string PullPaymentId, string ClaimLink);

/// <summary>The payment side of a host: BTCPay in-process, BTCPay over Greenfield, or the sandbox.</summary>
public interface IPaymentGateway
{
    Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken);

    Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken);

    Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken);
}

/// <summary>What a gateway throws when the store refuses to make an invoice (no wallet, no rate, ...).</summary>
public static class GatewayRefusals
{
    /// <summary>
    /// Read by the client who pressed "Fund": what it means for them and what to do, then the store's own reason (written
    /// for the store's owner, e.g. "No wallet has been linked to your BTCPay Store"), marked as such.
    /// </summary>
    public static EscrowException InvoiceRefused(string? reason) => new("gateway.invoice-refused",
        "The agency's store cannot take this payment yet, so nothing was charged. Please tell the agency; once their store is set up, the same button works."
        + (string.IsNullOrWhiteSpace(reason) ? "" : $" (The store's reason, for the agency: {reason.Trim()})"));
}
