using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Gateway;

/// <summary>
/// The marks both BTCPay adapters write (the plugin in-process, the host over Greenfield). They are how the escrow finds
/// its own invoices and pull payments again, so their exact text is pinned here.
/// </summary>
public class GatewayMarksTests
{
    private static readonly Guid Contract = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void Funding_invoices_carry_the_order_id_tag_and_metadata_the_plugin_always_wrote()
    {
        var milestone = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        var request = new FundingInvoiceRequest("store", Contract, [milestone], Money.Of(1m, "USD"), "Website — milestone 1", "https://e.test/escrow/return/x", null, []);

        Assert.Equal("escrow:0f8fad5bd9cb469fa16570867728950e", GatewayMarks.OrderId(Contract));
        Assert.Equal("ESCROW#0f8fad5bd9cb469fa16570867728950e", GatewayMarks.InvoiceTag(Contract));
        var metadata = GatewayMarks.FundingMetadata(request);
        Assert.Equal(["orderId", "itemDesc", "escrowContractId", "escrowMilestoneIds"], metadata.Select(m => m.Key));
        Assert.Equal("Website — milestone 1", metadata[1].Value);
        Assert.Equal(Contract.ToString(), metadata[2].Value);
        Assert.Equal(new[] { milestone.ToString() }, metadata[3].Value);
    }

    [Theory]
    [InlineData(PartyRole.Freelancer, "Payment from escrow · ref. ")]
    [InlineData(PartyRole.Client, "Refund from escrow · ref. ")]
    public void Pull_payments_are_described_by_a_short_reference_of_their_instruction(PartyRole recipient, string prefix)
    {
        var request = new PullPaymentRequest("store", Contract, "payout:abc", recipient, Money.Of(1m, "BTC"), "title", [], false, null);

        Assert.Equal(prefix + GatewayMarks.ShortReference("payout:abc"), GatewayMarks.PayoutDescription(request));
        // The first 12 hex digits of SHA-256("payout:abc").
        Assert.Equal("15398c7625d5", GatewayMarks.ShortReference("payout:abc"));
        Assert.Equal("Escrow payout payout:abc", GatewayMarks.LegacyPayoutDescription("payout:abc"));
    }

    [Fact]
    public void Credited_amounts_round_to_the_contract_currency_and_crypto_rounds_down()
    {
        Assert.Equal(Money.Of(10.01m, "USD"), GatewayAmounts.Credited(10.005m, "USD"));
        Assert.Equal(Money.Of(0m, "USD"), GatewayAmounts.Credited(-1m, "USD"));
        Assert.Equal(Money.Of(0.00000001m, "BTC"), GatewayAmounts.Crypto(0.000000019m, "BTC"));
    }
}
