using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// The background workers' queries: contracts with a due timer, contracts with due outbox rows. Tests share one
/// database, so they check what happens to their own contract, never exact result lists.
/// </summary>
public abstract class DueWorkTests(StoreDatabase database)
{
    private const int Many = 100_000;
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task A_contract_is_due_for_timers_from_the_moment_its_next_timer_is_reached()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        var due = contract.NextTimerAt!.Value;
        Assert.Equal(contract.Milestones[0].ReviewDeadline, due);

        Assert.DoesNotContain(contract.Id, await DueForTimersAsync(due - Millisecond));
        Assert.Contains(contract.Id, await DueForTimersAsync(due));
        Assert.Contains(contract.Id, await DueForTimersAsync(due.ToOffset(TimeSpan.FromHours(2))));

        await database.ActAsync(contract.Id, c => c.RunTimers(due));
        Assert.DoesNotContain(contract.Id, await DueForTimersAsync(due));
    }

    [Fact]
    public async Task A_draft_has_no_timer_and_the_result_size_is_capped()
    {
        var clock = Build.Clock();
        var draft = Build.Draft(clock);
        var active = Build.Funded(clock);
        await database.AddAsync(draft);
        await database.AddAsync(active);

        var farFuture = clock.GetUtcNow().AddYears(50);
        Assert.DoesNotContain(draft.Id, await DueForTimersAsync(farFuture));
        Assert.Contains(active.Id, await DueForTimersAsync(farFuture));
        await using var store = database.NewStore();
        Assert.Single(await store.FindDueForTimersAsync(farFuture, 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_queued_payout_is_due_until_it_is_claimable_and_waits_out_its_back_off_after_a_failure()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        clock.Advance(TimeSpan.FromHours(1));
        contract.Approve(contract.Milestones[0].Id, clock.GetUtcNow());
        await database.AddAsync(contract);
        var payout = contract.Payouts.Single();
        var queuedAt = payout.NextAttemptAt!.Value;

        Assert.DoesNotContain(contract.Id, await DueForPayoutsAsync(queuedAt - Millisecond));
        Assert.Contains(contract.Id, await DueForPayoutsAsync(queuedAt));

        var failed = await database.ActAsync(contract.Id, c => c.RecordPayoutFailure(payout.Id, "timeout", queuedAt));
        var retryAt = failed.Payout(payout.Id).NextAttemptAt!.Value;
        Assert.True(retryAt > queuedAt);
        Assert.DoesNotContain(contract.Id, await DueForPayoutsAsync(retryAt - Millisecond));
        Assert.Contains(contract.Id, await DueForPayoutsAsync(retryAt));

        await database.ActAsync(contract.Id, c => c.MarkPayoutClaimable(payout.Id, Build.Unique("pp"), "https://pay.example.com/pp", retryAt));
        Assert.DoesNotContain(contract.Id, await DueForPayoutsAsync(retryAt.AddYears(50)));
    }

    private async Task<IReadOnlyList<Guid>> DueForTimersAsync(DateTimeOffset now)
    {
        await using var store = database.NewStore();
        return await store.FindDueForTimersAsync(now, Many, CancellationToken.None);
    }

    private async Task<IReadOnlyList<Guid>> DueForPayoutsAsync(DateTimeOffset now)
    {
        await using var store = database.NewStore();
        return await store.FindWithDuePayoutsAsync(now, Many, CancellationToken.None);
    }
}
