using BTCPayServer.Plugins.Escrow.Core.Webhooks;

namespace BTCPayServer.Plugins.Escrow.Host.Webhooks;

/// <summary>What the webhook form posts. The secret is never shown back: blank keeps the current one.</summary>
public sealed class WebhookFormModel
{
    public string? Url { get; set; }
    public string? Secret { get; set; }
    public bool RegenerateSecret { get; set; }
    public bool Enabled { get; set; } = true;
    public bool AllEvents { get; set; } = true;
    public List<string> EventTypes { get; set; } = [];

    public static WebhookFormModel From(WebhookSubscription webhook) => new()
    {
        Url = webhook.Url,
        Enabled = webhook.Enabled,
        AllEvents = webhook.AllEvents,
        EventTypes = webhook.EventTypes.ToList(),
    };
}
