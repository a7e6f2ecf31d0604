using BTCPayServer.Client.Models;
using BTCPayServer.Plugins.Emails.Views;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Webhooks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BTCPayServer.Plugins.Escrow.Webhooks;

/// <summary>The escrow events as BTCPay store webhook events: BTCPay signs, delivers, logs and redelivers them.</summary>
public sealed class EscrowWebhookTriggerProvider : WebhookTriggerProvider<EscrowEvent>
{
    protected override StoreWebhookEvent GetWebhookEvent(EscrowEvent e) => new EscrowWebhookEvent
    {
        Type = e.Type,
        StoreId = e.StoreId,
        ContractId = e.ContractId.ToString(),
        MilestoneId = e.MilestoneId?.ToString(),
        MilestoneNumber = e.MilestoneNumber,
        Amount = e.Amount?.FormatAmount(),
        Currency = e.Amount?.Currency,
        AuditSequence = e.AuditSequence,
        Details = e.Details.ToDictionary(),
    };

    protected override async Task<JObject> GetEmailModel(WebhookTriggerContext<EscrowEvent> context)
    {
        var model = await base.GetEmailModel(context);
        var e = context.Event;
        model["Escrow"] = new JObject
        {
            ["Type"] = e.Type,
            ["ContractId"] = e.ContractId.ToString(),
            ["MilestoneNumber"] = e.MilestoneNumber,
            ["Amount"] = e.Amount?.ToInvariantString(),
        };
        return model;
    }

    /// <summary>One trigger per escrow event type, for Store settings > Webhooks (and BTCPay's email rules).</summary>
    public static IEnumerable<EmailTriggerViewModel> Triggers() => EscrowEventTypes.All.Select(type => new EmailTriggerViewModel
    {
        Trigger = type,
        Description = $"Escrow - {EscrowEventTypes.Describe(type)}",
        DefaultEmail = new EmailTriggerViewModel.Default
        {
            Subject = $"Escrow: {type}",
            Body = "Contract {Escrow.ContractId}, milestone {Escrow.MilestoneNumber}: {Escrow.Amount}",
        },
        PlaceHolders =
        [
            new("{Escrow.ContractId}", "The id of the escrow contract"),
            new("{Escrow.MilestoneNumber}", "The milestone's number, when the event is about one"),
            new("{Escrow.Amount}", "The amount with its currency, when the event has one"),
        ],
    });
}

/// <summary>The payload of an escrow event in BTCPay's webhook envelope (deliveryId, webhookId, type, timestamp, storeId, ...).</summary>
public sealed class EscrowWebhookEvent : StoreWebhookEvent
{
    [JsonProperty(Order = 2)] public string ContractId { get; set; } = "";
    [JsonProperty(Order = 3)] public string? MilestoneId { get; set; }
    [JsonProperty(Order = 4)] public int? MilestoneNumber { get; set; }
    [JsonProperty(Order = 5)] public string? Amount { get; set; }
    [JsonProperty(Order = 6)] public string? Currency { get; set; }
    [JsonProperty(Order = 7)] public int AuditSequence { get; set; }
    /// <summary>Event-specific facts (recipient, payoutKind, autoApproved, termsVersion, by...), as in the standalone host; kept in BTCPay's extension data.</summary>
    [JsonIgnore]
    public IDictionary<string, string> Details
    {
        init
        {
            AdditionalData ??= new Dictionary<string, JToken>();
            foreach (var (key, text) in value)
                AdditionalData[key] = text;
        }
    }
}
