using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

[Collection(PostgresCollection.Name)] public sealed class PostgresWebhookOutboxTests(PostgresDatabase db) : WebhookOutboxTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteWebhookOutboxTests(SqliteDatabase db) : WebhookOutboxTests(db);

/// <summary>Saved acts plan webhook deliveries; a failing outbox never undoes the act; an event is planned once per endpoint.</summary>
public abstract class WebhookOutboxTests(StoreDatabase database)
{
    private sealed class FailingSink : IEscrowEventSink
    {
        public Task PublishAsync(IReadOnlyList<EscrowEvent> events, CancellationToken cancellationToken) => throw new InvalidOperationException("outbox down");
    }

    private static string NewStore() => $"store-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_saved_act_plans_one_delivery_per_interested_endpoint_and_none_for_the_others()
    {
        var clock = Build.Clock();
        var storeId = NewStore();
        var webhooks = new EfWebhookStore(database.NewContext);
        var all = WebhookSubscription.Create(storeId, "https://a.example/", null, true, true, null, clock.GetUtcNow());
        var disabled = WebhookSubscription.Create(storeId, "https://b.example/", null, false, true, null, clock.GetUtcNow());
        var disputes = WebhookSubscription.Create(storeId, "https://c.example/", null, true, false, ["EscrowDisputeOpened"], clock.GetUtcNow());
        var elsewhere = WebhookSubscription.Create(NewStore(), "https://d.example/", null, true, true, null, clock.GetUtcNow());
        foreach (var w in new[] { all, disabled, disputes, elsewhere })
            await webhooks.AddAsync(w, CancellationToken.None);
        var contract = Build.Funded(clock, storeId);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        clock.Advance(TimeSpan.FromDays(15));
        var stores = new EventPublishingStores(new EfContractStoreFactory(database.NewContext), new WebhookOutbox(webhooks, clock));

        await new TimerSweep(stores, clock).RunDueAsync(CancellationToken.None);

        var planned = await webhooks.RecentDeliveriesAsync(storeId, all.Id, 100, CancellationToken.None);
        Assert.Contains(planned, d => d.EventType == "EscrowMilestoneApproved" && d.Payload.Contains("\"autoApproved\":\"true\""));
        Assert.All(planned, d => Assert.Equal(WebhookDeliveryStatus.Pending, d.Status));
        Assert.Empty(await webhooks.RecentDeliveriesAsync(storeId, disabled.Id, 100, CancellationToken.None));
        Assert.Empty(await webhooks.RecentDeliveriesAsync(storeId, disputes.Id, 100, CancellationToken.None));
        Assert.Empty(await webhooks.RecentDeliveriesAsync(elsewhere.StoreId, elsewhere.Id, 100, CancellationToken.None));
        // Another store's id never finds this store's endpoint or delivery.
        Assert.Null(await webhooks.FindAsync(elsewhere.StoreId, all.Id, CancellationToken.None));
        Assert.Null(await webhooks.FindDeliveryAsync(elsewhere.StoreId, all.Id, planned[0].Id, CancellationToken.None));
        Assert.False(await webhooks.DeleteAsync(elsewhere.StoreId, all.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_event_published_twice_is_planned_once_per_endpoint()
    {
        var clock = Build.Clock();
        var storeId = NewStore();
        var webhooks = new EfWebhookStore(database.NewContext);
        var webhook = WebhookSubscription.Create(storeId, "https://a.example/", null, true, true, null, clock.GetUtcNow());
        await webhooks.AddAsync(webhook, CancellationToken.None);
        var e = new EscrowEvent("EscrowContractProposed", clock.GetUtcNow(), storeId, Guid.NewGuid(), 3, null, null, null, new Dictionary<string, string>());
        var outbox = new WebhookOutbox(webhooks, clock);

        await outbox.PublishAsync([e], CancellationToken.None);
        await outbox.PublishAsync([e, e], CancellationToken.None);

        var planned = Assert.Single(await webhooks.RecentDeliveriesAsync(storeId, webhook.Id, 100, CancellationToken.None));
        var due = await webhooks.DueDeliveriesAsync(clock.GetUtcNow(), 1000, CancellationToken.None);
        Assert.Contains(due, d => d.Delivery.Id == planned.Id && d.Webhook!.Id == webhook.Id);
    }

    [Fact]
    public async Task Deliveries_that_ended_a_month_ago_are_forgotten_and_pending_ones_kept()
    {
        var clock = Build.Clock();
        var storeId = NewStore();
        var webhooks = new EfWebhookStore(database.NewContext);
        var webhook = WebhookSubscription.Create(storeId, "https://a.example/", null, true, true, null, clock.GetUtcNow());
        await webhooks.AddAsync(webhook, CancellationToken.None);
        var outbox = new WebhookOutbox(webhooks, clock);
        EscrowEvent Event(string type) => new(type, clock.GetUtcNow(), storeId, Guid.NewGuid(), 3, null, null, null, new Dictionary<string, string>());
        await outbox.PublishAsync([Event("EscrowContractProposed"), Event("EscrowContractActive"), Event("EscrowContractCancelled")], CancellationToken.None);
        var planned = await webhooks.RecentDeliveriesAsync(storeId, webhook.Id, 100, CancellationToken.None);
        var delivered = planned.Single(d => d.EventType == "EscrowContractProposed");
        delivered.RecordSuccess(200, clock.GetUtcNow());
        await webhooks.SaveDeliveryAsync(delivered, CancellationToken.None);
        var abandoned = planned.Single(d => d.EventType == "EscrowContractActive");
        abandoned.Abandon("endpoint removed", clock.GetUtcNow());
        await webhooks.SaveDeliveryAsync(abandoned, CancellationToken.None);
        var dispatcher = new WebhookDispatcher(webhooks, new HttpClient(), clock);

        clock.Advance(WebhookDispatcher.KeptFor - TimeSpan.FromHours(2));
        await dispatcher.PruneIfDueAsync(CancellationToken.None);
        Assert.Equal(3, (await webhooks.RecentDeliveriesAsync(storeId, webhook.Id, 100, CancellationToken.None)).Count);

        clock.Advance(TimeSpan.FromHours(3));
        await dispatcher.PruneIfDueAsync(CancellationToken.None);
        var left = Assert.Single(await webhooks.RecentDeliveriesAsync(storeId, webhook.Id, 100, CancellationToken.None));
        Assert.Equal(("EscrowContractCancelled", WebhookDeliveryStatus.Pending), (left.EventType, left.Status));
    }

    [Fact]
    public async Task An_outbox_that_fails_never_undoes_the_act()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock, NewStore());
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        clock.Advance(TimeSpan.FromDays(15));
        var stores = new EventPublishingStores(new EfContractStoreFactory(database.NewContext), new FailingSink());

        var changed = await new TimerSweep(stores, clock).RunDueAsync(CancellationToken.None);

        Assert.True(changed >= 1);
        Assert.Equal(MilestoneState.Approved, (await database.LoadAsync(contract.Id)).Milestones[0].State);
    }
}
