using System.Globalization;
using System.Net.Mail;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>
/// The escrow's payment gateway over BTCPay's Greenfield API: the same invoices and pull payments as the plugin makes
/// in-process (order id, metadata, payment methods, names, descriptions, refunds linked to their invoice), so staff see
/// the same thing in BTCPay whichever host made them.
/// </summary>
public sealed class GreenfieldPaymentGateway(GreenfieldClient btcpay) : IPaymentGateway
{
    public Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in GatewayMarks.FundingMetadata(request))
            metadata[key] = value is string[] list ? new JsonArray(list.Select(v => (JsonNode?)v).ToArray()) : JsonValue.Create(value);
        if (MailAddress.TryCreate(request.BuyerEmail, out _))
            metadata["buyerEmail"] = request.BuyerEmail;
        var checkout = new JsonObject
        {
            // The escrow's token-free return address: BTCPay shows it to staff, Greenfield clients and webhooks.
            ["redirectURL"] = request.RedirectUrl,
            ["redirectAutomatically"] = true,
        };
        if (request.PaymentMethods.Count > 0)
            checkout["paymentMethods"] = new JsonArray(request.PaymentMethods.Select(m => (JsonNode?)m).ToArray());
        var body = new JsonObject
        {
            ["amount"] = Decimal(request.Amount.Amount),
            ["currency"] = request.Amount.Currency,
            ["metadata"] = metadata,
            ["checkout"] = checkout,
            // Greenfield cannot set BTCPay's internal tags; the plugin's tag goes where BTCPay's invoice search finds it.
            ["additionalSearchTerms"] = new JsonArray(GatewayMarks.InvoiceTag(request.ContractId)),
        };
        // Retried after transient failures: an invoice made by an attempt whose answer was lost is never shown to anyone and expires.
        return btcpay.RetryAsync(async ct =>
        {
            JsonNode? invoice;
            try
            {
                invoice = await btcpay.PostAsync($"api/v1/stores/{Escaped(btcpay.StoreId)}/invoices", body, ct);
            }
            catch (GreenfieldRefusedException e) when ((int)e.Status is 400 or 422)
            {
                // No wallet for the allowed payment methods, no rate: the store cannot take money yet.
                throw GatewayRefusals.InvoiceRefused(e.Detail);
            }
            return new CreatedInvoice(Required(invoice, "id"), Required(invoice, "checkoutLink"));
        }, cancellationToken);
    }

    public async Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken)
    {
        var description = GatewayMarks.PayoutDescription(request);
        string[] descriptions = [description, GatewayMarks.LegacyPayoutDescription(request.Reference)];
        // Each attempt first looks for what an earlier one made: BTCPay may have made it and the answer been lost.
        var pullPayment = await btcpay.RetryAsync(async ct =>
            await FindMadeEarlierAsync(request, descriptions, ct) ?? await CreateAsync(request, description, ct), cancellationToken);
        return new CreatedPullPayment(Required(pullPayment, "id"), Required(pullPayment, "viewLink"));
    }

    /// <summary>Archives the pull payment; BTCPay cancels its payouts not yet sent. One already gone is left alone.</summary>
    public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken) =>
        btcpay.RetryAsync(ct => btcpay.DeleteAsync($"api/v1/pull-payments/{Escaped(pullPaymentId)}", ct), cancellationToken);

    private async Task<JsonNode> CreateAsync(PullPaymentRequest request, string description, CancellationToken cancellationToken)
    {
        var methods = new JsonArray(request.PayoutMethods.Select(m => (JsonNode?)m).ToArray());
        var (path, body) = request.RefundOfInvoiceId is { } invoiceId
            // A client refund is linked to the invoice its money came from: BTCPay lists it there.
            ? ($"api/v1/invoices/{Escaped(invoiceId)}/refund", new JsonObject
            {
                ["name"] = request.Description,
                ["description"] = description,
                ["payoutMethods"] = methods,
                ["refundVariant"] = "Custom",
                ["customAmount"] = Decimal(request.Amount.Amount),
                ["customCurrency"] = request.Amount.Currency,
            })
            : ($"api/v1/stores/{Escaped(btcpay.StoreId)}/pull-payments", new JsonObject
            {
                // The claim page shows both: the name is the human title, the description a short reference.
                ["name"] = request.Description,
                ["description"] = description,
                ["amount"] = Decimal(request.Amount.Amount),
                ["currency"] = request.Amount.Currency,
                ["payoutMethods"] = methods,
                ["autoApproveClaims"] = request.AutoApproveClaims,
            });
        try
        {
            return await btcpay.PostAsync(path, body, cancellationToken)
                   ?? throw new EscrowException("gateway.btcpay-refused", "BTCPay Server does not know the invoice this refund comes from.");
        }
        catch (GreenfieldRefusedException e) when ((int)e.Status is 400 or 422)
        {
            throw new EscrowException("gateway.no-payout-method",
                $"BTCPay Server refused the payout ({e.Detail}). The store may have no wallet or Lightning node for the payout methods its escrow settings allow ({string.Join(", ", request.PayoutMethods)}); the payout is retried.");
        }
    }

    /// <summary>The pull payment an earlier attempt already made for this instruction (same amount, currency and description).</summary>
    private async Task<JsonNode?> FindMadeEarlierAsync(PullPaymentRequest request, string[] descriptions, CancellationToken cancellationToken)
    {
        var list = await btcpay.GetAsync($"api/v1/stores/{Escaped(btcpay.StoreId)}/pull-payments?includeArchived=true", cancellationToken) as JsonArray ?? [];
        return list.FirstOrDefault(p =>
            p is not null
            && (string?)p["currency"] == request.Amount.Currency
            && decimal.TryParse((string?)p["amount"], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && amount == request.Amount.Amount
            && descriptions.Contains((string?)p["description"]));
    }

    internal static string Decimal(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    internal static string Escaped(string segment) => Uri.EscapeDataString(segment);

    private static string Required(JsonNode? node, string property) =>
        (string?)node?[property] is { Length: > 0 } value
            ? value
            : throw new EscrowException("gateway.btcpay-answer", $"BTCPay Server's answer has no {property}.");
}
