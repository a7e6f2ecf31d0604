using System.Globalization;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>
/// Invoices and pull payments as BTCPay holds them now, read over Greenfield, in the escrow's gateway terms: the same
/// translation as the plugin's (credited amount rounded to the contract currency, crypto rounded down, a payment late
/// when it arrived after the deadline of an invoice that expired or turned invalid).
/// </summary>
public sealed class GreenfieldStateReader(GreenfieldClient btcpay) : IGatewayStateReader
{
    public Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken) =>
        btcpay.RetryAsync(async ct =>
        {
            var id = GreenfieldPaymentGateway.Escaped(invoiceId);
            if (await btcpay.GetAsync($"api/v1/invoices/{id}", ct) is not { } invoice)
                return null;
            // Another store's invoice is none of this host's business (the key may see several stores).
            if ((string?)invoice["storeId"] is { } storeId && storeId != btcpay.StoreId)
                return null;
            var methods = await btcpay.GetAsync($"api/v1/invoices/{id}/payment-methods?onlyAccountedPayments=true", ct) as JsonArray ?? [];
            return ToState(invoice, methods);
        }, cancellationToken);

    public Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken) =>
        btcpay.RetryAsync<IReadOnlyList<GatewayPayoutStatus>>(async ct =>
        {
            var payouts = await btcpay.GetAsync($"api/v1/pull-payments/{GreenfieldPaymentGateway.Escaped(pullPaymentId)}/payouts?includeCancelled=true", ct) as JsonArray ?? [];
            return payouts.OfType<JsonObject>()
                .Select(p => new GatewayPayoutStatus((string)p["id"]!, Enum.Parse<GatewayPayoutState>((string)p["state"]!)))
                .ToList();
        }, cancellationToken);

    public static GatewayInvoiceState ToState(JsonNode invoice, JsonArray paymentMethods)
    {
        var status = Enum.Parse<GatewayInvoiceStatus>((string)invoice["status"]!);
        // BTCPay's document lists an additional status "Invalid" that its code never sets; anything unknown is None.
        var exception = Enum.TryParse<GatewayInvoiceExceptionStatus>((string?)invoice["additionalStatus"], out var e) ? e : GatewayInvoiceExceptionStatus.None;
        var currency = (string)invoice["currency"]!;
        var expiresAt = UnixSeconds(invoice["expirationTime"]) ?? long.MaxValue;
        var ended = status is GatewayInvoiceStatus.Expired or GatewayInvoiceStatus.Invalid;
        var payments = new List<GatewayPayment>();
        foreach (var method in paymentMethods.OfType<JsonObject>())
        {
            var methodId = (string)method["paymentMethodId"]!;
            var rate = Decimal(method["rate"]);
            var coin = (string?)method["currency"] ?? "BTC";
            foreach (var payment in (method["payments"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)payment["status"] == "Invalid")
                    continue;
                var net = Decimal(payment["value"]) - Decimal(payment["fee"]);
                var receivedAt = UnixSeconds(payment["receivedDate"]) ?? 0;
                payments.Add(new GatewayPayment(
                    new PaymentReport($"{methodId}:{payment["id"]}", GatewayAmounts.Credited(net * rate, currency), GatewayAmounts.Crypto(net, coin), rate, methodId),
                    ended && receivedAt > expiresAt));
            }
        }
        return new GatewayInvoiceState((string)invoice["id"]!, status, exception, payments);
    }

    /// <summary>A Unix timestamp in seconds (a JSON number; built objects may hold any integer type).</summary>
    private static long? UnixSeconds(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<long>(out var seconds) => seconds,
        JsonValue v when v.TryGetValue<int>(out var seconds) => seconds,
        JsonValue v when v.TryGetValue<double>(out var seconds) => (long)seconds,
        _ => null,
    };

    private static decimal Decimal(JsonNode? value) =>
        decimal.TryParse((string?)value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : 0m;
}
