using BTCPayServer.Plugins.Escrow.Core.Webhooks;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>The standalone host's webhook endpoints and their delivery outbox. Every read names the store.</summary>
public interface IWebhookStore
{
    Task<IReadOnlyList<WebhookSubscription>> ListAsync(string storeId, CancellationToken cancellationToken);
    Task<WebhookSubscription?> FindAsync(string storeId, string webhookId, CancellationToken cancellationToken);
    Task AddAsync(WebhookSubscription webhook, CancellationToken cancellationToken);
    /// <summary>Loads the store's subscription, applies <paramref name="change"/> and saves it; false when there is none.</summary>
    Task<bool> UpdateAsync(string storeId, string webhookId, Action<WebhookSubscription> change, CancellationToken cancellationToken);
    Task<bool> DeleteAsync(string storeId, string webhookId, CancellationToken cancellationToken);

    /// <summary>Adds deliveries; one already planned for the same webhook and event is skipped.</summary>
    Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken);
    Task<IReadOnlyList<WebhookDelivery>> RecentDeliveriesAsync(string storeId, string webhookId, int count, CancellationToken cancellationToken);
    Task<WebhookDelivery?> FindDeliveryAsync(string storeId, string webhookId, string deliveryId, CancellationToken cancellationToken);
    Task<IReadOnlyList<(WebhookDelivery Delivery, WebhookSubscription? Webhook)>> DueDeliveriesAsync(DateTimeOffset now, int count, CancellationToken cancellationToken);
    Task SaveDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Forgets deliveries that ended (delivered, or failed for good) before <paramref name="endedBefore"/>; pending ones stay.</summary>
    Task<int> PruneDeliveriesAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);
}
