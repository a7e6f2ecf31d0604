using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Services.Invoices;
using Newtonsoft.Json.Linq;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>What the escrow writes on BTCPay's invoices and pull payments; the marks themselves are Core's <see cref="GatewayMarks"/>.</summary>
public static class EscrowMarks
{
    public const string InvoiceTagPrefix = GatewayMarks.InvoiceTagPrefix;

    public static string InvoiceTag(Guid contractId) => GatewayMarks.InvoiceTag(contractId);

    public static string OrderId(Guid contractId) => GatewayMarks.OrderId(contractId);

    public static bool IsFundingInvoice(InvoiceEntity invoice) => invoice.GetInternalTags(InvoiceTagPrefix).Length > 0;

    public static JObject FundingMetadata(FundingInvoiceRequest request)
    {
        var metadata = new JObject();
        foreach (var (key, value) in GatewayMarks.FundingMetadata(request))
            metadata[key] = JToken.FromObject(value);
        if (MailboxAddressValidator.IsMailboxAddress(request.BuyerEmail))
            metadata["buyerEmail"] = request.BuyerEmail;
        return metadata;
    }

    public static string PayoutDescription(PullPaymentRequest request) => GatewayMarks.PayoutDescription(request);

    public static string LegacyPayoutDescription(string reference) => GatewayMarks.LegacyPayoutDescription(reference);

    public static string ShortReference(string reference) => GatewayMarks.ShortReference(reference);
}
