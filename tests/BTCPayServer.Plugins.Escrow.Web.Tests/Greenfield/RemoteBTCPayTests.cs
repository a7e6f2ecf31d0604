using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>
/// The standalone host against a BTCPay store over Greenfield (a stub on loopback that checks every request against
/// BTCPay's own OpenAPI description): funding invoices, signed webhooks, releases through a BTCPay outage.
/// </summary>
public sealed class RemoteBTCPayTests(RemoteEscrowApp app) : IClassFixture<RemoteEscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Start_up_checks_the_key_and_registers_one_webhook_on_the_store()
    {
        Assert.Equal(1, app.BTCPay.CountRequests("GET", "/api/v1/api-keys/current"));
        var webhook = Assert.Single(app.BTCPay.Webhooks.Values);
        Assert.Equal($"{EscrowApp.PublicUrl}/escrow/btcpay/webhook", (string?)webhook["url"]);
        Assert.Contains("InvoiceSettled", webhook["authorizedEvents"]!["specificEvents"]!.AsArray().Select(e => (string?)e));
        Assert.Equal(64, app.BTCPay.WebhookSecrets.Values.Single().Length);
        // The sealed secret, never the secret itself, is in the data folder.
        var saved = File.ReadAllText(Path.Combine(app.DataDir, "btcpay-webhook.json"));
        Assert.DoesNotContain(app.BTCPay.WebhookSecrets.Values.Single(), saved);
        app.BTCPay.AssertKeptToTheDocument();
    }

    [Fact]
    public async Task The_sandbox_pages_do_not_exist_next_to_BTCPay()
    {
        using var client = app.Factory.CreateClient();
        Assert.Equal(404, (int)(await client.GetAsync("/sandbox/checkout/inv1")).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/sandbox/clock/advance", JsonContent("{\"hours\":1}"))).StatusCode);
        Assert.Equal(404, (int)(await client.GetAsync("/sandbox/wallet")).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/sandbox/wallet/mine", new FormUrlEncodedContent([new("blocks", "1")]))).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/sandbox/wallet/broadcast", new FormUrlEncodedContent([new("transaction", "0200000001")]))).StatusCode);
        Assert.Equal(404, (int)(await client.PostAsync("/sandbox/wallet/drop", new FormUrlEncodedContent([new("txid", new string('0', 64)), new("confirm", "yes")]))).StatusCode);
        // No sandbox chain either: the non-custodial mode has no chain next to BTCPay's gateway in this host.
        Assert.Null(app.Services.GetService(typeof(BTCPayServer.Plugins.Escrow.Core.NonCustodial.IEscrowChain)));
    }

    [Fact]
    public async Task Funding_creates_a_BTCPay_invoice_with_the_plugins_marks_and_a_signed_settlement_funds_the_milestone()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var invoiceId = await FundAsync(c);

        var request = app.BTCPay.CreatedInvoiceRequests.Single(r => (string?)r["metadata"]!["escrowContractId"] == c.Id.ToString());
        Assert.Equal($"escrow:{c.Id:N}", (string?)request["metadata"]!["orderId"]);
        Assert.Equal(c.MilestoneIds[0].ToString(), (string?)request["metadata"]!["escrowMilestoneIds"]![0]);
        Assert.Equal("alice@client.test", (string?)request["metadata"]!["buyerEmail"]);
        Assert.Equal($"ESCROW#{c.Id:N}", (string?)request["additionalSearchTerms"]![0]);
        Assert.Equal($"{EscrowApp.PublicUrl}/escrow/return/{c.Id}", (string?)request["checkout"]!["redirectURL"]);
        Assert.Equal("0.01", (string?)request["amount"]);

        app.BTCPay.Settle(invoiceId, 0.01m, 1m);
        var delivery = app.Delivery("InvoiceSettled", "del-settled-1", d => d["invoiceId"] = invoiceId);
        Assert.Equal(200, await app.DeliverAsync(delivery));
        var contract = await app.ContractAsync(c.Id);
        Assert.Equal(MilestoneState.Funded, contract.Milestones.Single(m => m.Id == c.MilestoneIds[0]).State);
        Assert.Equal(0.01m, contract.Milestones.Single(m => m.Id == c.MilestoneIds[0]).Funded.Amount);
        app.BTCPay.AssertKeptToTheDocument();
    }

    [Fact]
    public async Task Unsigned_wrongly_signed_and_replayed_deliveries_change_nothing()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var invoiceId = await FundAsync(c);
        app.BTCPay.Settle(invoiceId, 0.01m, 1m);
        var delivery = app.Delivery("InvoiceSettled", "del-forged-1", d => d["invoiceId"] = invoiceId);
        var reads = app.BTCPay.CountRequests("GET", $"/api/v1/invoices/{invoiceId}");

        Assert.Equal(401, await app.DeliverAsync(delivery, signature: null));
        Assert.Equal(401, await app.DeliverAsync(delivery, signature: "sha256=" + new string('0', 64)));
        Assert.Equal(401, await app.DeliverAsync(delivery, signature: "sha256=zz"));
        Assert.Equal(401, await app.DeliverAsync(delivery, signature: "sha1=" + new string('a', 40)));
        // The right signature over another body (an invoice id swapped in) is wrong for this one.
        var tampered = (JsonObject)delivery.DeepClone();
        tampered["invoiceId"] = "inv-someone-else";
        var rightForOriginal = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(app.BTCPay.WebhookSecrets.Values.Single()), System.Text.Encoding.UTF8.GetBytes(delivery.ToJsonString())));
        Assert.Equal(401, await app.DeliverAsync(tampered, rightForOriginal));
        Assert.Equal(reads, app.BTCPay.CountRequests("GET", $"/api/v1/invoices/{invoiceId}"));
        Assert.Equal(MilestoneState.Pending, (await app.ContractAsync(c.Id)).Milestones.Single(m => m.Id == c.MilestoneIds[0]).State);

        Assert.Equal(200, await app.DeliverAsync(delivery));
        var funded = await app.SnapshotAsync(c.Id);
        var afterFirst = app.BTCPay.CountRequests("GET", $"/api/v1/invoices/{invoiceId}");
        // Replayed: the same delivery id is answered, not applied or even looked at again.
        Assert.Equal(200, await app.DeliverAsync(delivery));
        Assert.Equal(afterFirst, app.BTCPay.CountRequests("GET", $"/api/v1/invoices/{invoiceId}"));
        Assert.Equal(funded, await app.SnapshotAsync(c.Id));
        // A new delivery of the same fact is read again, and the invoice's state is applied once only.
        Assert.Equal(200, await app.DeliverAsync(app.Delivery("InvoiceSettled", "del-forged-2", d => d["invoiceId"] = invoiceId)));
        Assert.Equal(funded, await app.SnapshotAsync(c.Id));
        app.BTCPay.AssertKeptToTheDocument();
    }

    [Fact]
    public async Task A_release_during_a_BTCPay_outage_is_retried_and_makes_exactly_one_pull_payment()
    {
        var staff = await app.StaffAsync();
        var (c, _) = await FundedThroughBTCPayAsync(staff);
        await _flow.SubmitDeliverableAsync(c, 1);

        app.BTCPay.PullPaymentOutages = 2;
        var before = app.BTCPay.CreatedPullPaymentRequests.Count;
        var client = await c.Client.OpenAsync(c.ClientUrl);
        var approved = await c.Client.SubmitAsync(await c.Client.SubmitAsync(client, "#Milestone1 .approve-milestone"), "#ConfirmButton");
        Assert.Equal(nameof(MilestoneState.Approved), approved.Get("#Milestone1").GetAttribute("data-state"));

        var payout = await Eventually.UntilAsync(async () => (await app.ContractAsync(c.Id)).Payouts.SingleOrDefault(p => p.Kind == PayoutKind.Release),
            p => p is { Status: PayoutStatus.Claimable }, "the release's pull payment");
        Assert.Equal(0, app.BTCPay.PullPaymentOutages);
        Assert.Equal(before + 1, app.BTCPay.CreatedPullPaymentRequests.Count);
        var pullPayment = app.BTCPay.PullPayments[payout!.PullPaymentId!];
        Assert.Equal($"{app.BTCPay.Url}/pull-payments/{payout.PullPaymentId}", payout.ClaimLink);
        Assert.StartsWith("Payment from escrow · ref. ", (string?)pullPayment["description"]);
        Assert.Equal("0.01", (string?)pullPayment["amount"]);

        // The payout completes in BTCPay; its webhook says so and the escrow records it.
        app.BTCPay.CompletePayout(payout.PullPaymentId!);
        Assert.Equal(200, await app.DeliverAsync(app.Delivery("PayoutUpdated", $"del-{payout.PullPaymentId}", d =>
        {
            d["payoutId"] = app.BTCPay.Payouts[payout.PullPaymentId!][0]!["id"]!.DeepClone();
            d["pullPaymentId"] = payout.PullPaymentId;
            d["payoutState"] = "Completed";
        })));
        Assert.Equal(PayoutStatus.Completed, (await app.ContractAsync(c.Id)).Payouts.Single(p => p.Kind == PayoutKind.Release).Status);
        app.BTCPay.AssertKeptToTheDocument();
    }

    [Fact]
    public async Task A_client_refund_goes_through_BTCPays_refund_of_the_funding_invoice()
    {
        var staff = await app.StaffAsync();
        var (c, invoiceId) = await FundedThroughBTCPayAsync(staff);

        await staff.SubmitConfirmedAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#CancelContract", ("reason", "The client withdrew"));

        var refund = await Eventually.UntilAsync(async () => (await app.ContractAsync(c.Id)).Payouts.SingleOrDefault(p => p.Kind == PayoutKind.Refund),
            p => p is { Status: PayoutStatus.Claimable }, "the refund's pull payment");
        var request = app.BTCPay.CreatedPullPaymentRequests.Single(r => (string?)r["refundVariant"] is not null && app.BTCPay.PullPayments[refund!.PullPaymentId!]["description"]!.ToString() == (string?)r["description"]);
        Assert.Equal("Custom", (string?)request["refundVariant"]);
        Assert.Equal("0.01", (string?)request["customAmount"]);
        Assert.Equal("BTC", (string?)request["customCurrency"]);
        Assert.StartsWith("Refund from escrow · ref. ", (string?)request["description"]);
        Assert.Equal(1, app.BTCPay.CountRequests("POST", $"/api/v1/invoices/{invoiceId}/refund"));
        app.BTCPay.AssertKeptToTheDocument();
    }

    /// <summary>An active contract whose first milestone was paid in BTCPay and told to the host by a signed webhook.</summary>
    private async Task<(ContractAtHand Contract, string InvoiceId)> FundedThroughBTCPayAsync(Browser staff)
    {
        var c = await _flow.ActiveAsync(staff);
        var invoiceId = await FundAsync(c);
        app.BTCPay.Settle(invoiceId, 0.01m, 1m);
        Assert.Equal(200, await app.DeliverAsync(app.Delivery("InvoiceSettled", $"del-{invoiceId}", d => d["invoiceId"] = invoiceId)));
        return (c, invoiceId);
    }

    private async Task<string> FundAsync(ContractAtHand c)
    {
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var toCheckout = await c.Client.SubmitNoFollowAsync(page, "#Milestone1 .fund-milestone");
        Assert.True(toCheckout.IsRedirect, Flow.ErrorsOn(toCheckout));
        Assert.StartsWith($"{app.BTCPay.Url}/i/", toCheckout.Location!.ToString());
        return toCheckout.Location.ToString().Split('/').Last();
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
