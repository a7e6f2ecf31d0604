using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>The host refuses to start on a key or a server it cannot work with, and says why in its log.</summary>
public sealed class RemoteBTCPayStartTests
{
    [Theory]
    [InlineData("btcpay.store.cancreateinvoice")]
    [InlineData("btcpay.store.canmanagepullpayments")]
    [InlineData("btcpay.store.webhooks.canmodifywebhooks")]
    public async Task A_key_without_a_needed_permission_stops_the_host(string permission)
    {
        var app = new RemoteEscrowApp();
        app.BTCPay.Permissions.RemoveAll(p => p.StartsWith(permission + ":", StringComparison.Ordinal));
        await AssertRefusedAsync(app, permission);
    }

    [Fact]
    public async Task A_key_for_another_store_stops_the_host()
    {
        var app = new RemoteEscrowApp();
        for (var i = 0; i < app.BTCPay.Permissions.Count; i++)
            app.BTCPay.Permissions[i] = app.BTCPay.Permissions[i].Split(':')[0] + ":SomeOtherStore";
        await AssertRefusedAsync(app, "btcpay.store.cancreateinvoice");
    }

    [Fact]
    public async Task A_key_for_every_store_of_its_user_is_enough()
    {
        var app = new RemoteEscrowApp();
        app.BTCPay.Permissions.Clear();
        app.BTCPay.Permissions.Add("btcpay.store.canmodifystoresettings");
        await app.InitializeAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_refused_key_stops_the_host()
    {
        var app = new RemoteEscrowApp();
        app.BTCPay.RefuseKey = true;
        await AssertRefusedAsync(app, "401");
    }

    [Fact]
    public async Task An_unreachable_BTCPay_stops_the_host()
    {
        var app = new RemoteEscrowApp();
        app.BTCPay.Server.Stop();
        await AssertRefusedAsync(app, "did not answer");
    }

    [Fact]
    public async Task A_lost_webhook_is_made_up_for_by_polling()
    {
        var app = new PollingRemoteEscrowApp();
        await app.InitializeAsync();
        try
        {
            var staff = await app.StaffAsync();
            var c = await new Flow(app).ActiveAsync(staff);
            var page = await c.Client.OpenAsync(c.ClientUrl);
            var toCheckout = await c.Client.SubmitNoFollowAsync(page, "#Milestone1 .fund-milestone");
            var invoiceId = toCheckout.Location!.ToString().Split('/').Last();
            // Paid and settled in BTCPay; the webhook never arrives.
            app.BTCPay.Settle(invoiceId, 0.01m, 1m);
            await Eventually.UntilAsync(async () => (await app.ContractAsync(c.Id)).Milestones.Single(m => m.Id == c.MilestoneIds[0]).State == MilestoneState.Funded,
                "the settled invoice applied by polling");
            app.BTCPay.AssertKeptToTheDocument();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Staff_and_the_client_read_why_BTCPay_refused_a_payment_or_a_payout()
    {
        var app = new RemoteEscrowApp();
        await app.InitializeAsync();
        try
        {
            var staff = await app.StaffAsync();
            var c = await new Flow(app).ActiveAsync(staff);
            // The store has no wallet for the invoice's payment methods: BTCPay refuses the invoice (400).
            app.BTCPay.Override = (method, path) => method == "POST" && path.EndsWith("/invoices", StringComparison.Ordinal)
                ? (400, new JsonObject { ["code"] = "generic-error", ["message"] = "No payment method is available for this store" })
                : null;
            var refused = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .fund-milestone");
            Assert.Contains("The agency's store cannot take this payment yet, so nothing was charged.", refused.VisibleText);
            Assert.Contains("(The store's reason, for the agency: No payment method is available for this store)", refused.VisibleText);

            app.BTCPay.Override = null;
            var toCheckout = await c.Client.SubmitNoFollowAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .fund-milestone");
            var invoiceId = toCheckout.Location!.ToString().Split('/').Last();
            app.BTCPay.Settle(invoiceId, 0.01m, 1m);
            Assert.Equal(200, await app.DeliverAsync(app.Delivery("InvoiceSettled", $"del-{invoiceId}", d => d["invoiceId"] = invoiceId)));
            await new Flow(app).SubmitDeliverableAsync(c, 1);
            // The key lost its pull-payment permission: the release waits, and the contract page says why.
            app.BTCPay.Override = (method, path) => path.Contains("/pull-payments", StringComparison.Ordinal)
                ? (403, new JsonObject { ["code"] = "missing-permission", ["message"] = "Missing btcpay.store.canmanagepullpayments" })
                : null;
            var client = await c.Client.OpenAsync(c.ClientUrl);
            await c.Client.SubmitAsync(await c.Client.SubmitAsync(client, "#Milestone1 .approve-milestone"), "#ConfirmButton");
            await Eventually.UntilAsync(async () => (await staff.OpenAsync(Urls.Contract(c.Id))).VisibleText.Contains("the API key lacks a permission on the store", StringComparison.Ordinal),
                "the refusal on the contract page");
            app.BTCPay.AssertKeptToTheDocument();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task AssertRefusedAsync(RemoteEscrowApp app, string reason)
    {
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(app.InitializeAsync);
            Assert.Contains(app.LoggedErrors, line => line.Contains("Not starting", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
            Assert.Empty(app.BTCPay.Webhooks);
            app.BTCPay.AssertKeptToTheDocument();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
