using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Services.Invoices;
using Newtonsoft.Json.Linq;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>What the escrow writes on BTCPay's invoices and pull payments so that it recognises its own later.</summary>
public static class EscrowMarks
{
    /// <summary>Prefix of the internal tag every funding invoice carries (BTCPay keeps internal tags off the checkout).</summary>
    public const string InvoiceTagPrefix = "ESCROW#";

    public static string InvoiceTag(Guid contractId) => $"{InvoiceTagPrefix}{contractId:N}";

    /// <summary>The order id of a contract's funding invoices: staff find them with BTCPay's invoice search.</summary>
    public static string OrderId(Guid contractId) => $"escrow:{contractId:N}";

    public static bool IsFundingInvoice(InvoiceEntity invoice) => invoice.GetInternalTags(InvoiceTagPrefix).Length > 0;

    public static JObject FundingMetadata(FundingInvoiceRequest request)
    {
        var metadata = new JObject
        {
            ["orderId"] = OrderId(request.ContractId),
            ["itemDesc"] = request.Description,
            ["escrowContractId"] = request.ContractId.ToString(),
            ["escrowMilestoneIds"] = JArray.FromObject(request.MilestoneIds.Select(id => id.ToString())),
        };
        if (MailboxAddressValidator.IsMailboxAddress(request.BuyerEmail))
            metadata["buyerEmail"] = request.BuyerEmail;
        return metadata;
    }

    /// <summary>
    /// The description of a pull payment made for a payout instruction. BTCPay has no field of ours on a pull payment,
    /// so the instruction's reference travels here, where a retry can find it.
    /// </summary>
    public static string PayoutDescription(string reference) => $"Escrow payout {reference}";
}
