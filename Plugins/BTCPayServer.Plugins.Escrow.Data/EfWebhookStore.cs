using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

public sealed class EfWebhookStore(Func<EscrowDbContext> createContext) : IWebhookStore
{
    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(string storeId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var list = await db.Webhooks.AsNoTracking().Where(w => w.StoreId == storeId).ToListAsync(cancellationToken);
        return list.OrderBy(w => w.CreatedAt).ToList();
    }

    public async Task<WebhookSubscription?> FindAsync(string storeId, string webhookId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.StoreId == storeId && w.Id == webhookId, cancellationToken);
    }

    public async Task AddAsync(WebhookSubscription webhook, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> UpdateAsync(string storeId, string webhookId, Action<WebhookSubscription> change, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.StoreId == storeId && w.Id == webhookId, cancellationToken);
        if (webhook is null)
            return false;
        change(webhook);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(string storeId, string webhookId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.StoreId == storeId && w.Id == webhookId, cancellationToken);
        if (webhook is null)
            return false;
        db.Webhooks.Remove(webhook);
        // Its log goes with it; deliveries still waiting would be abandoned anyway.
        db.WebhookDeliveries.RemoveRange(db.WebhookDeliveries.Where(d => d.WebhookId == webhookId));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var webhookIds = deliveries.Select(d => d.WebhookId).Distinct().ToList();
        var keys = deliveries.Select(d => d.EventKey).Distinct().ToList();
        var existing = (await db.WebhookDeliveries.AsNoTracking()
                .Where(d => webhookIds.Contains(d.WebhookId) && keys.Contains(d.EventKey))
                .Select(d => new { d.WebhookId, d.EventKey }).ToListAsync(cancellationToken))
            .Select(d => (d.WebhookId, d.EventKey)).ToHashSet();
        db.WebhookDeliveries.AddRange(deliveries.Where(d => existing.Add((d.WebhookId, d.EventKey))));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> RecentDeliveriesAsync(string storeId, string webhookId, int count, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        // Newest first, limited in the query: a busy endpoint's log is not read whole for one page.
        return await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.StoreId == storeId && d.WebhookId == webhookId)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
    }

    public async Task<WebhookDelivery?> FindDeliveryAsync(string storeId, string webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.WebhookDeliveries.AsNoTracking()
            .FirstOrDefaultAsync(d => d.StoreId == storeId && d.WebhookId == webhookId && d.Id == deliveryId, cancellationToken);
    }

    public async Task<IReadOnlyList<(WebhookDelivery Delivery, WebhookSubscription? Webhook)>> DueDeliveriesAsync(DateTimeOffset now, int count, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var pending = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
            .ToListAsync(cancellationToken);
        var due = pending.OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt).Take(count).ToList();
        var ids = due.Select(d => d.WebhookId).Distinct().ToList();
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        return due.Select(d => (d, webhooks.GetValueOrDefault(d.WebhookId))).ToList();
    }

    public async Task SaveDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        db.WebhookDeliveries.Update(delivery);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<int> PruneDeliveriesAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.WebhookDeliveries
            .Where(d => d.Status != WebhookDeliveryStatus.Pending && d.CreatedAt < endedBefore)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
