using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>
/// One delivery of one event to one endpoint: an outbox row. Its payload is written once, when the delivery is
/// planned, and sent byte for byte on every attempt; a redelivery is a new delivery with a new id (as in BTCPay).
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>Waits after each failed attempt; after the last one the delivery is failed (a person may redeliver it).</summary>
    public static readonly IReadOnlyList<TimeSpan> Backoff =
        [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)];

    public const int MaxErrorLength = 300;

    private WebhookDelivery() { }

    public string Id { get; private set; } = "";
    public string WebhookId { get; private set; } = "";
    public string StoreId { get; private set; } = "";
    public string EventType { get; private set; } = "";
    /// <summary>What was delivered: the event's key, or the redelivered delivery's id; unique per webhook.</summary>
    public string EventKey { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public WebhookDeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? LastAttemptAt { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }

    public static WebhookDelivery Plan(WebhookSubscription webhook, EscrowEvent e, DateTimeOffset now)
    {
        var id = NewId();
        var payload = new JsonObject
        {
            ["deliveryId"] = id,
            ["webhookId"] = webhook.Id,
            // As BTCPay: a first delivery is its own original; a redelivery keeps pointing at it.
            ["originalDeliveryId"] = id,
            ["isRedelivery"] = false,
            ["type"] = e.Type,
            ["timestamp"] = e.Timestamp.ToUnixTimeSeconds(),
            ["storeId"] = e.StoreId,
            ["contractId"] = e.ContractId.ToString(),
            ["milestoneId"] = e.MilestoneId?.ToString(),
            ["milestoneNumber"] = e.MilestoneNumber,
            ["amount"] = e.Amount?.FormatAmount(),
            ["currency"] = e.Amount?.Currency,
            ["auditSequence"] = e.AuditSequence,
        };
        foreach (var (key, value) in e.Details)
            payload[key] = value;
        return New(id, webhook, e.Type, e.Key, payload.ToJsonString(), now);
    }

    /// <summary>The same payload again under a new delivery id, marked as a redelivery of the first delivery.</summary>
    public WebhookDelivery Redeliver(DateTimeOffset now)
    {
        var id = NewId();
        var payload = JsonNode.Parse(Payload)!.AsObject();
        payload["originalDeliveryId"] ??= Id;
        payload["deliveryId"] = id;
        payload["isRedelivery"] = true;
        return New(id, WebhookId, StoreId, EventType, $"redelivery:{id}", payload.ToJsonString(), now);
    }

    public void RecordSuccess(int statusCode, DateTimeOffset now)
    {
        Attempts++;
        LastAttemptAt = now;
        LastStatusCode = statusCode;
        LastError = null;
        Status = WebhookDeliveryStatus.Delivered;
    }

    /// <summary>An endpoint that answered non-2xx (<paramref name="statusCode"/>) or could not be reached (null).</summary>
    public void RecordFailure(int? statusCode, string error, DateTimeOffset now)
    {
        Attempts++;
        LastAttemptAt = now;
        LastStatusCode = statusCode;
        LastError = Text.Excerpt(error, MaxErrorLength);
        if (Attempts > Backoff.Count)
            Status = WebhookDeliveryStatus.Failed;
        else
            NextAttemptAt = now + Backoff[Attempts - 1];
    }

    /// <summary>A delivery whose endpoint was deleted or disabled: it is not sent, and says why.</summary>
    public void Abandon(string why, DateTimeOffset now)
    {
        LastAttemptAt = now;
        LastError = why;
        Status = WebhookDeliveryStatus.Failed;
    }

    private static WebhookDelivery New(string id, WebhookSubscription webhook, string type, string key, string payload, DateTimeOffset now) =>
        New(id, webhook.Id, webhook.StoreId, type, key, payload, now);

    private static WebhookDelivery New(string id, string webhookId, string storeId, string type, string key, string payload, DateTimeOffset now) => new()
    {
        Id = id,
        WebhookId = webhookId,
        StoreId = storeId,
        EventType = type,
        EventKey = key,
        Payload = payload,
        CreatedAt = now,
        Status = WebhookDeliveryStatus.Pending,
        NextAttemptAt = now,
    };

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
