using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>The standalone host's event sink: one delivery per event for each enabled endpoint of the store that wants it.</summary>
public sealed class WebhookOutbox(IWebhookStore store, TimeProvider clock) : IEscrowEventSink
{
    public async Task PublishAsync(IReadOnlyList<EscrowEvent> events, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var deliveries = new List<WebhookDelivery>();
        foreach (var byStore in events.GroupBy(e => e.StoreId))
        {
            var webhooks = await store.ListAsync(byStore.Key, cancellationToken);
            deliveries.AddRange(
                from e in byStore
                from webhook in webhooks
                where webhook.Wants(e.Type)
                select WebhookDelivery.Plan(webhook, e, now));
        }
        if (deliveries.Count > 0)
            await store.AddDeliveriesAsync(deliveries, cancellationToken);
    }
}
