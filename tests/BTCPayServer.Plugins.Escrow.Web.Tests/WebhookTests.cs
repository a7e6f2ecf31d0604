using System.Net;
using System.Text;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The same on PostgreSQL: the outbox's queries and unique keys on the other provider.</summary>
public sealed class PostgresWebhookTests : WebhookTests
{
    protected override EscrowApp NewApp() => new PostgresEscrowApp();
}

/// <summary>The standalone host's webhooks (SQLite), delivered over real HTTP to a listener on loopback.</summary>
public class WebhookTests : IAsyncLifetime
{
    private const string Secret = "test-secret-0123456789";
    private EscrowApp _app = null!;
    private readonly WebhookReceiver _receiver = new();
    private Browser _staff = null!;

    protected virtual EscrowApp NewApp() => new();

    public async Task InitializeAsync()
    {
        _app = NewApp();
        await _app.InitializeAsync();
        await _receiver.StartAsync();
        _staff = await _app.StaffAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static string Webhooks(string storeId = EscrowApp.StoreId) => $"{Urls.Staff(storeId)}/webhooks";

    private async Task<string> AddWebhookAsync(string path, bool enabled = true, params string[] types)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Url", _receiver.Url(path)), new("Secret", Secret), new("Enabled", enabled ? "true" : "false"),
            new("AllEvents", types.Length == 0 ? "true" : "false"),
        };
        fields.AddRange(types.Select(t => new KeyValuePair<string, string>("EventTypes", t)));
        var page = await _staff.PostAsync(Webhooks(), fields);
        Assert.True(page.IsRedirect, page.Excerpt());
        return page.Location!.OriginalString.Split('/').Last();
    }

    private IWebhookStore Store => _app.Services.GetRequiredService<IWebhookStore>();

    private Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string webhookId) =>
        Store.RecentDeliveriesAsync(EscrowApp.StoreId, webhookId, 500, CancellationToken.None);

    [Fact]
    public async Task Each_event_reaches_a_real_endpoint_signed_with_the_secret_and_is_logged()
    {
        var webhookId = await AddWebhookAsync("all");

        var contract = await new Flow(_app).FundedAsync(_staff);

        await Eventually.UntilAsync(async () => _receiver.Requests.Any(r => r.Type == "EscrowMilestoneFunded"), "the funded event arrives");
        foreach (var request in _receiver.Requests)
        {
            Assert.True(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(request.Body), request.Signature), $"{request.Type} is signed");
            Assert.Equal(webhookId, request.Json.GetProperty("webhookId").GetString());
            Assert.Equal(EscrowApp.StoreId, request.Json.GetProperty("storeId").GetString());
            Assert.Equal(contract.Id.ToString(), request.Json.GetProperty("contractId").GetString());
            Assert.DoesNotContain(contract.ClientToken, request.Body);
            Assert.DoesNotContain(contract.FreelancerToken, request.Body);
            Assert.DoesNotContain("/escrow/p/", request.Body);
        }
        Assert.Contains(_receiver.Requests, r => r.Type == "EscrowContractProposed");
        Assert.Contains(_receiver.Requests, r => r.Type == "EscrowContractActivated");
        var funded = _receiver.Requests.First(r => r.Type == "EscrowMilestoneFunded");
        Assert.Equal(contract.MilestoneIds[0].ToString(), funded.Json.GetProperty("milestoneId").GetString());
        Assert.Equal("BTC", funded.Json.GetProperty("currency").GetString());

        var log = await _staff.GetAsync($"{Webhooks()}/{webhookId}");
        Assert.Equal(HttpStatusCode.OK, log.Status);
        var row = log.Get($"tr[data-delivery='{funded.DeliveryId}']");
        Assert.Contains("Delivered", row.TextContent);
        Assert.Contains("200", row.TextContent);
        Assert.DoesNotContain(Secret, log.Body);
    }

    [Fact]
    public async Task A_listener_that_goes_away_gets_every_delivery_exactly_once_when_it_comes_back()
    {
        var webhookId = await AddWebhookAsync("all");
        var flow = new Flow(_app);
        var contract = await flow.ActiveAsync(_staff);
        await Eventually.UntilAsync(async () => _receiver.Requests.Any(r => r.Type == "EscrowContractActivated"), "activation arrives");

        await _receiver.StopAsync();
        await flow.FundAsync(contract, 1);
        await Eventually.UntilAsync(async () => (await DeliveriesAsync(webhookId)).Any(d => d.EventType == "EscrowMilestoneFunded" && d.Attempts > 0),
            "the funded delivery fails while the listener is down");
        var failed = (await DeliveriesAsync(webhookId)).Single(d => d.EventType == "EscrowMilestoneFunded");
        Assert.Equal(WebhookDeliveryStatus.Pending, failed.Status);
        Assert.Null(failed.LastStatusCode);

        // Acting never waited for the endpoint: the contract moved on.
        Assert.Equal(Core.Milestones.MilestoneState.Funded, (await _app.ContractAsync(contract.Id)).Milestones.Single(m => m.Number == 1).State);

        await _receiver.StartAsync();
        // The next attempt is due after the back-off; the sandbox clock jumps there instead of the test waiting.
        _app.Services.GetRequiredService<SandboxClock>().Advance(TimeSpan.FromMinutes(2));
        await Eventually.UntilAsync(async () => (await DeliveriesAsync(webhookId)).All(d => d.Status == WebhookDeliveryStatus.Delivered), "every delivery lands");
        await Task.Delay(1500); // a few more worker passes: nothing may arrive twice

        var deliveries = await DeliveriesAsync(webhookId);
        var received = _receiver.Requests.ToList();
        Assert.Equal(deliveries.Select(d => d.Id).Order(), received.Select(r => r.DeliveryId).Order());
        Assert.Equal(received.Count, received.Select(r => r.DeliveryId).Distinct().Count());
        Assert.True((await DeliveriesAsync(webhookId)).Single(d => d.Id == failed.Id).Attempts >= 2);
    }

    [Fact]
    public async Task A_disabled_webhook_and_unselected_event_types_get_nothing()
    {
        await AddWebhookAsync("disabled", enabled: false);
        await AddWebhookAsync("disputes-only", true, "EscrowDisputeOpened");
        await AddWebhookAsync("funded-only", true, "EscrowMilestoneFunded");

        await new Flow(_app).FundedAsync(_staff);

        await Eventually.UntilAsync(async () => _receiver.Requests.Any(r => r.Path == "funded-only"), "the subscribed endpoint hears of funding");
        await Task.Delay(1500);
        Assert.All(_receiver.Requests, r => Assert.Equal("funded-only", r.Path));
        Assert.All(_receiver.Requests, r => Assert.Equal("EscrowMilestoneFunded", r.Type));
    }

    [Fact]
    public async Task Redeliver_sends_the_same_payload_under_a_new_delivery_id()
    {
        var webhookId = await AddWebhookAsync("all", true, "EscrowContractProposed");
        await new Flow(_app).ProposedAsync(_staff);
        await Eventually.UntilAsync(async () => _receiver.Requests.Count == 1, "the proposal arrives");
        var first = _receiver.Requests.Single();

        var page = await _staff.OpenAsync($"{Webhooks()}/{webhookId}");
        await _staff.SubmitAsync(page, $"tr[data-delivery='{first.DeliveryId}'] button");

        await Eventually.UntilAsync(async () => _receiver.Requests.Count == 2, "the redelivery arrives");
        var again = _receiver.Requests.Last();
        Assert.NotEqual(first.DeliveryId, again.DeliveryId);
        Assert.Equal(first.DeliveryId, again.Json.GetProperty("originalDeliveryId").GetString());
        Assert.True(again.Json.GetProperty("isRedelivery").GetBoolean());
        Assert.Equal(first.Json.GetProperty("timestamp").GetInt64(), again.Json.GetProperty("timestamp").GetInt64());
        Assert.True(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(again.Body), again.Signature));
    }

    [Theory]
    [InlineData("Url", "not a url", "absolute http")]
    [InlineData("Url", "ftp://example.com/hook", "absolute http")]
    [InlineData("Url", "", "Enter the URL")]
    [InlineData("EventTypes", "InvoiceSettled", "not an escrow event type")]
    public async Task Bad_settings_get_a_clear_error_and_change_nothing(string field, string value, string message)
    {
        var webhookId = await AddWebhookAsync("all", true, "EscrowMilestoneFunded");
        var before = await Store.FindAsync(EscrowApp.StoreId, webhookId, CancellationToken.None);
        var fields = new Dictionary<string, string> { ["Url"] = _receiver.Url("changed"), ["Enabled"] = "false", ["AllEvents"] = "false", ["EventTypes"] = "EscrowDisputeOpened" };
        fields[field] = value;

        var edit = await _staff.PostAsync($"{Webhooks()}/{webhookId}", fields);
        var create = await _staff.PostAsync(Webhooks(), fields);

        foreach (var page in new[] { edit, create })
        {
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains(message, page.VisibleText);
        }
        var after = await Store.FindAsync(EscrowApp.StoreId, webhookId, CancellationToken.None);
        Assert.Equal((before!.Url, before.Enabled, before.Events, before.Secret), (after!.Url, after.Enabled, after.Events, after.Secret));
        Assert.Single(await Store.ListAsync(EscrowApp.StoreId, CancellationToken.None));
    }

    [Fact]
    public async Task A_generated_secret_is_shown_once()
    {
        var page = await _staff.PostAsync(Webhooks(), [new("Url", _receiver.Url()), new("AllEvents", "true"), new("Enabled", "true")]);
        var shown = await _staff.FollowAsync(page);
        var secret = shown.Text("#WebhookSecret code");
        var webhookId = page.Location!.OriginalString.Split('/').Last();

        Assert.Equal((await Store.FindAsync(EscrowApp.StoreId, webhookId, CancellationToken.None))!.Secret, secret);
        Assert.DoesNotContain(secret, (await _staff.GetAsync($"{Webhooks()}/{webhookId}")).Body);
    }

    [Fact]
    public async Task Another_stores_webhooks_are_404_to_this_stores_staff()
    {
        var theirs = WebhookSubscription.Create(EscrowApp.OtherStoreId, "https://other.example/hook", "their-secret", true, true, null, DateTimeOffset.UtcNow);
        await Store.AddAsync(theirs, CancellationToken.None);
        var delivery = WebhookDelivery.Plan(theirs, new EscrowEvent("EscrowContractProposed", DateTimeOffset.UtcNow, EscrowApp.OtherStoreId, Guid.NewGuid(), 1, null, null, null, new Dictionary<string, string>()), DateTimeOffset.UtcNow);
        await Store.AddDeliveriesAsync([delivery], CancellationToken.None);

        foreach (var storeId in new[] { EscrowApp.StoreId, EscrowApp.OtherStoreId })
        {
            var gets = new[] { $"{Webhooks(storeId)}/{theirs.Id}" };
            foreach (var url in gets)
            {
                var page = await _staff.GetAsync(url);
                Assert.Equal(HttpStatusCode.NotFound, page.Status);
                Assert.DoesNotContain("other.example", page.Body);
            }
            foreach (var url in new[] { $"{Webhooks(storeId)}/{theirs.Id}", $"{Webhooks(storeId)}/{theirs.Id}/delete", $"{Webhooks(storeId)}/{theirs.Id}/deliveries/{delivery.Id}/redeliver" })
            {
                var page = await _staff.PostAsync(url, [new("Url", "https://attacker.example/"), new("AllEvents", "true"), new("Enabled", "true")]);
                Assert.Equal(HttpStatusCode.NotFound, page.Status);
            }
        }
        var list = await _staff.GetAsync(Webhooks());
        Assert.DoesNotContain("other.example", list.Body);
        var after = await Store.FindAsync(EscrowApp.OtherStoreId, theirs.Id, CancellationToken.None);
        Assert.Equal("https://other.example/hook", after!.Url);
        Assert.Single(await Store.RecentDeliveriesAsync(EscrowApp.OtherStoreId, theirs.Id, 10, CancellationToken.None));
    }
}
