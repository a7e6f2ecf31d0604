using System.Text;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Webhooks;

public class WebhookSettingsAndDeliveryTests
{
    private static readonly EscrowEvent Funded = new("EscrowMilestoneFunded", Start, "store-1", Guid.NewGuid(), 7, Guid.NewGuid(), 1, null, new Dictionary<string, string>());

    [Theory]
    [InlineData("", "Enter the URL")]
    [InlineData("hooks.example/escrow", "absolute http")]
    [InlineData("ftp://hooks.example/escrow", "absolute http")]
    [InlineData("javascript:alert(1)", "absolute http")]
    [InlineData("https://user:pw@hooks.example/", "user name")]
    public void A_bad_url_is_refused_with_a_message(string url, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => WebhookSubscription.Create("s", url, null, true, true, null, Start));
        Assert.Equal("Url", error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Unknown_or_no_event_types_are_refused_and_change_nothing()
    {
        var webhook = WebhookSubscription.Create("s", "https://a.example/", "s3cret", true, false, ["EscrowMilestoneFunded"], Start);

        var unknown = Assert.Throws<InvalidInputException>(() => webhook.Update("https://b.example/", null, false, false, ["EscrowMilestoneFunded", "InvoiceSettled"]));
        var none = Assert.Throws<InvalidInputException>(() => webhook.Update("https://b.example/", null, false, false, []));

        Assert.Contains("InvoiceSettled", unknown.Message);
        Assert.Contains("at least one", none.Message);
        Assert.Equal("https://a.example/", webhook.Url);
        Assert.True(webhook.Enabled);
        Assert.Equal(["EscrowMilestoneFunded"], webhook.EventTypes);
    }

    [Fact]
    public void A_blank_secret_is_generated_on_creation_and_kept_on_update()
    {
        var webhook = WebhookSubscription.Create("s", "https://a.example/", " ", true, true, null, Start);
        var generated = webhook.Secret;

        webhook.Update("https://a.example/", "", true, true, null);

        Assert.True(generated.Length >= 32);
        Assert.Equal(generated, webhook.Secret);
    }

    [Fact]
    public void Disabled_or_unsubscribed_webhooks_want_nothing()
    {
        var disabled = WebhookSubscription.Create("s", "https://a.example/", null, false, true, null, Start);
        var other = WebhookSubscription.Create("s", "https://a.example/", null, true, false, ["EscrowDisputeOpened"], Start);

        Assert.False(disabled.Wants("EscrowMilestoneFunded"));
        Assert.False(other.Wants("EscrowMilestoneFunded"));
        Assert.True(other.Wants("EscrowDisputeOpened"));
    }

    [Fact]
    public void Failures_back_off_10s_1min_10min_1h_then_the_delivery_fails()
    {
        var delivery = WebhookDelivery.Plan(WebhookSubscription.Create("s", "https://a.example/", null, true, true, null, Start), Funded, Start);
        var now = Start;
        var waits = new List<TimeSpan>();
        while (delivery.Status == WebhookDeliveryStatus.Pending)
        {
            delivery.RecordFailure(503, "The endpoint answered 503.", now);
            if (delivery.Status == WebhookDeliveryStatus.Pending)
                waits.Add(delivery.NextAttemptAt - now);
            now = delivery.NextAttemptAt;
        }

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)], waits);
        Assert.Equal(5, delivery.Attempts);
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(503, delivery.LastStatusCode);
    }

    [Fact]
    public void A_redelivery_keeps_the_payload_under_a_new_id_pointing_to_the_original_like_BTCPay()
    {
        var first = WebhookDelivery.Plan(WebhookSubscription.Create("s", "https://a.example/", null, true, true, null, Start), Funded, Start);
        var again = first.Redeliver(Start.AddHours(2));
        var third = again.Redeliver(Start.AddHours(3));

        using var json = JsonDocument.Parse(again.Payload);
        Assert.NotEqual(first.Id, again.Id);
        Assert.Equal(again.Id, json.RootElement.GetProperty("deliveryId").GetString());
        Assert.Equal(first.Id, json.RootElement.GetProperty("originalDeliveryId").GetString());
        Assert.True(json.RootElement.GetProperty("isRedelivery").GetBoolean());
        Assert.Equal(Start.ToUnixTimeSeconds(), json.RootElement.GetProperty("timestamp").GetInt64());
        Assert.Contains($"\"originalDeliveryId\":\"{first.Id}\"", third.Payload);
        Assert.Equal(WebhookDeliveryStatus.Pending, again.Status);
    }

    [Fact]
    public void The_signature_is_the_hex_HMAC_SHA256_of_the_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"type\":\"EscrowMilestoneFunded\"}");
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("secret"));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(body));

        Assert.Equal(expected, WebhookSignature.Sign("secret", body));
        Assert.True(WebhookSignature.Verify("secret", body, expected));
        Assert.False(WebhookSignature.Verify("other", body, expected));
    }
}
