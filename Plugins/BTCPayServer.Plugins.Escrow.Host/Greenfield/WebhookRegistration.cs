using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>
/// The host's webhook on its BTCPay store: registered at start-up with a secret of its own, or the earlier registration
/// reused when the host still holds its secret. The secret is kept in the data folder, sealed with the host's Data
/// Protection keys.
/// </summary>
public sealed class WebhookRegistration(GreenfieldClient btcpay, IDataProtectionProvider protection, string dataDir)
{
    public const string Path = "escrow/btcpay/webhook";

    /// <summary>The BTCPay events the escrow acts on; everything else it would only have to ignore.</summary>
    public static readonly IReadOnlyList<string> Events =
        ["InvoiceReceivedPayment", "InvoicePaymentSettled", "InvoiceProcessing", "InvoiceExpired", "InvoiceSettled", "InvoiceInvalid", "PayoutUpdated"];

    private readonly IDataProtector _sealer = protection.CreateProtector("BTCPayEscrow.Greenfield.WebhookSecret");
    private byte[]? _secret;

    /// <summary>The secret deliveries are signed with; null until <see cref="RegisterAsync"/> has run.</summary>
    public byte[]? Secret => Volatile.Read(ref _secret);

    private string FilePath => System.IO.Path.Combine(dataDir, "btcpay-webhook.json");

    /// <summary>Makes sure the store calls <paramref name="url"/> with a secret this host holds; answers the webhook's id.</summary>
    public async Task<string> RegisterAsync(string url, CancellationToken cancellationToken)
    {
        var saved = await LoadAsync(cancellationToken);
        var existing = await btcpay.RetryAsync(ct => btcpay.GetAsync($"api/v1/stores/{GreenfieldPaymentGateway.Escaped(btcpay.StoreId)}/webhooks", ct), cancellationToken) as JsonArray ?? [];
        var sameUrl = existing.OfType<JsonObject>().Where(w => (string?)w["url"] == url).ToList();
        if (saved is not null && sameUrl.FirstOrDefault(w => (string?)w["id"] == saved.Value.WebhookId) is { } ours && (bool?)ours["enabled"] != false)
        {
            Volatile.Write(ref _secret, saved.Value.Secret);
            return saved.Value.WebhookId;
        }
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var body = new JsonObject
        {
            ["enabled"] = true,
            ["automaticRedelivery"] = true,
            ["url"] = url,
            ["authorizedEvents"] = new JsonObject { ["everything"] = false, ["specificEvents"] = new JsonArray(Events.Select(e => (JsonNode?)e).ToArray()) },
            ["secret"] = secret,
        };
        // A registration with this URL whose secret the host lost (a new data folder) gets a new secret instead of a twin.
        var answer = sameUrl.FirstOrDefault() is { } lost
            ? await btcpay.RetryAsync(ct => btcpay.PutAsync($"api/v1/webhooks/{GreenfieldPaymentGateway.Escaped((string)lost["id"]!)}", body, ct), cancellationToken)
            : await btcpay.RetryAsync(ct => btcpay.PostAsync($"api/v1/stores/{GreenfieldPaymentGateway.Escaped(btcpay.StoreId)}/webhooks", body, ct), cancellationToken);
        var webhookId = (string?)answer?["id"] ?? throw new InvalidOperationException("BTCPay Server's answer to the webhook registration has no id.");
        var secretBytes = System.Text.Encoding.UTF8.GetBytes(secret);
        await SaveAsync(webhookId, secretBytes, cancellationToken);
        Volatile.Write(ref _secret, secretBytes);
        return webhookId;
    }

    private async Task<(string WebhookId, byte[] Secret)?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
            return null;
        try
        {
            var file = JsonNode.Parse(await File.ReadAllTextAsync(FilePath, cancellationToken));
            return ((string)file!["webhookId"]!, _sealer.Unprotect(Convert.FromBase64String((string)file["secret"]!)));
        }
        catch (Exception e) when (e is JsonException or FormatException or CryptographicException or NullReferenceException or InvalidOperationException)
        {
            // Unreadable (other keys, edited by hand): register again with a new secret.
            return null;
        }
    }

    private Task SaveAsync(string webhookId, byte[] secret, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(FilePath, new JsonObject
        {
            ["webhookId"] = webhookId,
            ["secret"] = Convert.ToBase64String(_sealer.Protect(secret)),
        }.ToJsonString(), cancellationToken);
}
