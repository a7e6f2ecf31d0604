using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>
/// The standalone host in remote-BTCPay mode (Escrow:Gateway=btcpay) against <see cref="FakeBTCPay"/>. Polling is slow
/// unless a test wants it, so that what a test sees comes from the webhook it sent.
/// </summary>
public class RemoteEscrowApp : EscrowApp
{
    private readonly double _pollSeconds;

    public RemoteEscrowApp() : this(3600)
    {
    }

    protected RemoteEscrowApp(double pollSeconds) => _pollSeconds = pollSeconds;

    public FakeBTCPay BTCPay { get; } = new();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Escrow:Gateway", "btcpay");
        builder.UseSetting("Escrow:BTCPay:Url", BTCPay.Url);
        builder.UseSetting("Escrow:BTCPay:StoreId", FakeBTCPay.StoreId);
        builder.UseSetting("Escrow:BTCPay:ApiKey", FakeBTCPay.ApiKey);
        builder.UseSetting("Escrow:BTCPay:PollIntervalSeconds", _pollSeconds.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Escrow:BTCPay:RetryDelaySeconds", "0.05");
        builder.UseSetting("Escrow:BTCPay:RequestTimeoutSeconds", "10");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        BTCPay.Dispose();
    }

    /// <summary>A delivery as BTCPay makes it: the documented example of the event's payload with this event's ids.</summary>
    public JsonObject Delivery(string type, string deliveryId, Action<JsonObject> fill)
    {
        var payload = GreenfieldDocument.Instance.ExampleOfWebhook(type);
        payload["deliveryId"] = deliveryId;
        payload["webhookId"] = BTCPay.WebhookSecrets.Keys.Single();
        payload["originalDeliveryId"] = deliveryId;
        payload["isRedelivery"] = false;
        payload["type"] = type;
        payload["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        payload["storeId"] = FakeBTCPay.StoreId;
        fill(payload);
        Assert.Null(GreenfieldDocument.Instance.CheckWebhook(type, payload));
        return payload;
    }

    /// <summary>Posts a delivery to the host's webhook with the given BTCPay-Sig (the right one unless told otherwise).</summary>
    public async Task<int> DeliverAsync(JsonObject payload, string? signature = "right")
    {
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, "/escrow/btcpay/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature == "right")
            signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(BTCPay.WebhookSecrets.Values.Single()), body));
        if (signature is not null)
            request.Headers.TryAddWithoutValidation("BTCPay-Sig", signature);
        using var client = Factory.CreateClient();
        var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }
}

/// <summary>The same host polling BTCPay every second.</summary>
public sealed class PollingRemoteEscrowApp() : RemoteEscrowApp(1);
