using System.Security.Cryptography;
using System.Text;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Gateway;

/// <summary>
/// What the escrow writes on BTCPay's invoices and pull payments so that it recognises its own later. Both BTCPay
/// adapters (the plugin in-process, the standalone host over Greenfield) write the same marks, so either finds the other's.
/// </summary>
public static class GatewayMarks
{
    /// <summary>Prefix of the internal tag every funding invoice carries (BTCPay keeps internal tags off the checkout).</summary>
    public const string InvoiceTagPrefix = "ESCROW#";

    public static string InvoiceTag(Guid contractId) => $"{InvoiceTagPrefix}{contractId:N}";

    /// <summary>The order id of a contract's funding invoices: staff find them with BTCPay's invoice search.</summary>
    public static string OrderId(Guid contractId) => $"escrow:{contractId:N}";

    /// <summary>
    /// A funding invoice's metadata, in order, as plain values (strings and string arrays). The buyer's email is left to
    /// the adapter, which checks it with BTCPay's own rules where it can.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, object>> FundingMetadata(FundingInvoiceRequest request) =>
    [
        new("orderId", OrderId(request.ContractId)),
        new("itemDesc", request.Description),
        new("escrowContractId", request.ContractId.ToString()),
        new("escrowMilestoneIds", request.MilestoneIds.Select(id => id.ToString()).ToArray()),
    ];

    /// <summary>
    /// The description of a pull payment made for a payout instruction; its name is the instruction's human title. BTCPay
    /// has no field of ours on a pull payment, so a short reference derived from the instruction's key travels here, where
    /// a retry can find it (the key itself is two ids long and would overflow the public claim page).
    /// </summary>
    public static string PayoutDescription(PullPaymentRequest request) =>
        $"{(request.Recipient == PartyRole.Client ? "Refund" : "Payment")} from escrow · ref. {ShortReference(request.Reference)}";

    /// <summary>The description earlier builds gave pull payments (the whole key), still recognised so a retry across an upgrade finds its pull payment.</summary>
    public static string LegacyPayoutDescription(string reference) => $"Escrow payout {reference}";

    /// <summary>The first 12 hex digits of the key's SHA-256: unique enough among one store's pull payments of the same amount.</summary>
    public static string ShortReference(string reference) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reference)))[..12];
}
