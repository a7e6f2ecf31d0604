using System.Security.Cryptography;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>
/// One endpoint of a store that hears about escrow events (standalone host; inside BTCPay the store's own webhooks do
/// this). Every change goes through <see cref="Update"/>, which validates the whole input before changing anything.
/// </summary>
public sealed class WebhookSubscription
{
    public const int MaxUrlLength = 1000;
    public const int MaxSecretLength = 128;

    private WebhookSubscription() { }

    public string Id { get; private set; } = "";
    public string StoreId { get; private set; } = "";
    public string Url { get; private set; } = "";
    /// <summary>The HMAC key of the <c>BTCPay-Sig</c> header; shown to staff once when generated.</summary>
    public string Secret { get; private set; } = "";
    public bool Enabled { get; private set; }
    public bool AllEvents { get; private set; }
    /// <summary>The chosen event types, space separated (stored as one column); ignored when <see cref="AllEvents"/>.</summary>
    public string Events { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyList<string> EventTypes => Events.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string eventType) => Enabled && (AllEvents || EventTypes.Contains(eventType, StringComparer.Ordinal));

    /// <summary>A new endpoint; a blank secret gets a generated one.</summary>
    public static WebhookSubscription Create(string storeId, string? url, string? secret, bool enabled, bool allEvents, IEnumerable<string>? eventTypes, DateTimeOffset now)
    {
        var subscription = new WebhookSubscription { Id = NewId(), StoreId = storeId, CreatedAt = now };
        subscription.Update(url, string.IsNullOrWhiteSpace(secret) ? GenerateSecret() : secret, enabled, allEvents, eventTypes);
        return subscription;
    }

    /// <summary>Changes every setting at once; a blank secret keeps the current one.</summary>
    public void Update(string? url, string? secret, bool enabled, bool allEvents, IEnumerable<string>? eventTypes)
    {
        var validUrl = ValidUrl(url);
        var types = (eventTypes ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var unknown = types.FirstOrDefault(t => !EscrowEventTypes.IsKnown(t));
        if (unknown is not null)
            throw new InvalidInputException("EventTypes", $"\"{Text.Excerpt(unknown, 60)}\" is not an escrow event type.");
        if (!allEvents && types.Count == 0)
            throw new InvalidInputException("EventTypes", "Choose at least one event type, or every event.");
        var newSecret = string.IsNullOrWhiteSpace(secret) ? Secret : secret.Trim();
        if (newSecret.Length is 0 or > MaxSecretLength || newSecret.Any(char.IsControl))
            throw new InvalidInputException("Secret", $"The secret must be 1 to {MaxSecretLength} characters, without control characters.");
        Url = validUrl;
        Secret = newSecret;
        Enabled = enabled;
        AllEvents = allEvents;
        Events = string.Join(' ', EscrowEventTypes.All.Where(types.Contains));
    }

    public void RegenerateSecret() => Secret = GenerateSecret();

    private static string ValidUrl(string? url)
    {
        var text = url?.Trim() ?? "";
        if (text.Length == 0)
            throw new InvalidInputException("Url", "Enter the URL that receives the webhooks.");
        if (text.Length > MaxUrlLength)
            throw new InvalidInputException("Url", $"The URL is longer than {MaxUrlLength} characters.");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            throw new InvalidInputException("Url", "The URL must be an absolute http:// or https:// address.");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new InvalidInputException("Url", "The URL must not contain a user name or password; the secret signs each delivery.");
        return uri.AbsoluteUri;
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string GenerateSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
