using BTCPayServer.Plugins.Escrow.Core.Api;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The API's idempotency records stay bounded: old answers are forgotten, and a request cut short frees its key.</summary>
public abstract class ApiIdempotencyRetentionTests(StoreDatabase database)
{
    // Far in the past, so the pruning below cannot reach records other tests make with today's clock.
    private static readonly DateTimeOffset Now = new(2001, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Answers_are_kept_seven_days_and_unanswered_requests_fifteen_minutes()
    {
        var store = new EfIdempotencyStore(database.NewContext);
        var storeId = Build.Unique("store");
        async Task Claim(string key, TimeSpan age, bool answered)
        {
            var record = new IdempotencyRecord(storeId, "key:client", key, new string('a', 64), Now - age);
            Assert.Null(await store.ClaimAsync(record, CancellationToken.None));
            if (answered)
            {
                record.Complete(201, "{}");
                await store.CompleteAsync(record, CancellationToken.None);
            }
        }
        await Claim("answered-8-days", TimeSpan.FromDays(8), answered: true);
        await Claim("answered-6-days", TimeSpan.FromDays(6), answered: true);
        await Claim("unanswered-20-minutes", TimeSpan.FromMinutes(20), answered: false);
        await Claim("unanswered-5-minutes", TimeSpan.FromMinutes(5), answered: false);

        var retention = new IdempotencyRetention(store, new FakeTimeProvider(Now));
        Assert.Equal(2, await retention.PruneAsync(CancellationToken.None));

        await using var db = database.NewContext();
        var left = await db.IdempotencyKeys.Where(r => r.StoreId == storeId).Select(r => r.Key).OrderBy(k => k).ToListAsync();
        Assert.Equal(["answered-6-days", "unanswered-5-minutes"], left);
        // The key of the request cut short is free again: a retry is answered instead of "still being answered".
        Assert.Null(await store.ClaimAsync(new IdempotencyRecord(storeId, "key:client", "unanswered-20-minutes", new string('b', 64), Now), CancellationToken.None));
        // The kept answer still answers its retry.
        var kept = await store.ClaimAsync(new IdempotencyRecord(storeId, "key:client", "answered-6-days", new string('a', 64), Now), CancellationToken.None);
        Assert.Equal(201, kept?.StatusCode);
    }

    [Fact]
    public async Task Pruning_runs_once_per_interval_when_asked_more_often()
    {
        var store = new EfIdempotencyStore(database.NewContext);
        var storeId = Build.Unique("store");
        var clock = new FakeTimeProvider(Now);
        var retention = new IdempotencyRetention(store, clock);
        await retention.PruneIfDueAsync(CancellationToken.None);

        var old = new IdempotencyRecord(storeId, "key:client", "old", new string('a', 64), Now - TimeSpan.FromDays(30));
        await store.ClaimAsync(old, CancellationToken.None);
        old.Complete(200, "{}");
        await store.CompleteAsync(old, CancellationToken.None);

        clock.Advance(IdempotencyRetention.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await retention.PruneIfDueAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await retention.PruneIfDueAsync(CancellationToken.None));
    }
}
