using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Host.Greenfield;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>The checks the BTCPay stub makes are real checks, and BTCPay's documented objects translate as the plugin's do.</summary>
public sealed class GreenfieldContractTests
{
    private static readonly GreenfieldDocument Doc = GreenfieldDocument.Instance;

    [Fact]
    public void The_document_refuses_requests_BTCPay_would_not_understand()
    {
        const string invoices = "/api/v1/stores/store1/invoices";
        Assert.Null(Doc.Check("POST", invoices, [], """{"amount":"5.00","currency":"USD","metadata":{"orderId":"x"},"checkout":{"redirectURL":"https://a.test/"}}"""));
        Assert.NotNull(Doc.Check("POST", invoices, [], """{"amount":5,"currency":"USD"}"""));
        Assert.NotNull(Doc.Check("POST", invoices, [], """{"amount":"5.00","tags":["x"]}"""));
        Assert.NotNull(Doc.Check("POST", invoices, [], """{"checkout":{"redirectUrl":"https://a.test/"}}"""));
        Assert.NotNull(Doc.Check("POST", "/api/v1/invoices/inv1/refund", [], """{"refundVariant":"Everything"}"""));
        Assert.NotNull(Doc.Check("GET", "/api/v1/stores/store1/pull-payments", ["archived"], null));
        Assert.NotNull(Doc.Check("PATCH", "/api/v1/invoices/inv1", [], null));
        Assert.NotNull(Doc.Check("GET", "/api/v1/stores/store1/escrow", [], null));
    }

    [Fact]
    public void A_documented_invoice_becomes_the_escrows_state_with_the_plugins_rounding_and_late_rule()
    {
        var invoice = Doc.Example("InvoiceData");
        invoice["id"] = "inv1";
        invoice["currency"] = "USD";
        invoice["status"] = "Expired";
        invoice["additionalStatus"] = "Invalid";
        invoice["expirationTime"] = 1_000;
        var method = Doc.Example("InvoicePaymentMethodDataModel");
        method["paymentMethodId"] = "BTC-CHAIN";
        method["currency"] = "BTC";
        method["rate"] = "50000.123";
        JsonObject Payment(string id, string value, string fee, long at, string status = "Settled")
        {
            var p = Doc.Example("Payment");
            p["id"] = id;
            p["value"] = value;
            p["fee"] = fee;
            p["receivedDate"] = at;
            p["status"] = status;
            return p;
        }
        method["payments"] = new JsonArray(Payment("a", "0.001000009", "0.000000009", 900), Payment("b", "0.002", "0", 1_100), Payment("c", "1", "0", 950, "Invalid"));

        var state = GreenfieldStateReader.ToState(invoice, new JsonArray(method));

        Assert.Equal(GatewayInvoiceStatus.Expired, state.Status);
        // BTCPay's document lists "Invalid" as an additional status its code never sets: read as none.
        Assert.Equal(GatewayInvoiceExceptionStatus.None, state.ExceptionStatus);
        Assert.Equal(2, state.Payments.Count);
        var onTime = state.Payments[0];
        Assert.Equal("BTC-CHAIN:a", onTime.Report.PaymentId);
        Assert.Equal(50.00m, onTime.Report.Credited.Amount);
        Assert.Equal("USD", onTime.Report.Credited.Currency);
        Assert.Equal(0.001m, onTime.Report.Crypto.Amount);
        Assert.False(onTime.AfterExpiry);
        Assert.True(state.Payments[1].AfterExpiry);
    }

    [Fact]
    public void A_key_holds_a_permission_for_the_store_for_every_store_or_through_a_broader_one()
    {
        static JsonObject Key(params string[] permissions) => new() { ["permissions"] = new JsonArray(permissions.Select(p => (JsonNode?)p).ToArray()) };
        Assert.Empty(GreenfieldPermissions.Missing(Key("unrestricted"), "s1"));
        Assert.Empty(GreenfieldPermissions.Missing(Key("btcpay.store.canmodifystoresettings:s1"), "s1"));
        Assert.Equal(GreenfieldPermissions.Required, GreenfieldPermissions.Missing(Key("btcpay.store.canmodifystoresettings:s2"), "s1"));
        Assert.Equal([GreenfieldPermissions.ManagePullPayments, GreenfieldPermissions.ModifyWebhooks],
            GreenfieldPermissions.Missing(Key("btcpay.store.canmodifyinvoices", "btcpay.store.cancreatepullpayments:s1"), "s1"));
    }
}
