using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>Two writers of one contract: the first wins, the second gets a conflict, and nothing of the second is stored.</summary>
public abstract class ConcurrencyTests(StoreDatabase database)
{
    [Fact]
    public async Task The_second_of_two_conflicting_decisions_is_refused_and_nothing_of_it_is_stored()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        var milestone = contract.Milestones[0].Id;

        await using var clientStore = database.NewStore();
        await using var agencyStore = database.NewStore();
        var first = (await clientStore.FindAsync(contract.Id, CancellationToken.None))!;
        var second = (await agencyStore.FindAsync(contract.Id, CancellationToken.None))!;
        clock.Advance(TimeSpan.FromMinutes(1));
        first.RequestChanges(milestone, "Not yet", clock.GetUtcNow());
        second.Approve(milestone, clock.GetUtcNow());

        await clientStore.SaveAsync(first, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => agencyStore.SaveAsync(second, CancellationToken.None));

        Assert.Equal(contract.Id, conflict.ContractId);
        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(Snapshot.Of(first), Snapshot.Of(stored));
        Assert.Equal(MilestoneState.ChangesRequested, stored.Milestones[0].State);
        Assert.Empty(stored.Payouts);
        await using var log = database.NewStore();
        var entries = await log.ReadAsync(contract.Id, CancellationToken.None);
        Assert.Equal(first.AuditCount, entries.Count);
        Assert.DoesNotContain(entries, e => e.Type == "milestone.approved");
        Assert.True(AuditChain.Verify(entries).IsValid);
    }

    [Fact]
    public async Task Writers_that_change_only_child_rows_still_conflict()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        contract.Approve(contract.Milestones[0].Id, clock.GetUtcNow());
        await database.AddAsync(contract);
        var payout = contract.Payouts.Single().Id;

        await using var workerA = database.NewStore();
        await using var workerB = database.NewStore();
        var a = (await workerA.FindAsync(contract.Id, CancellationToken.None))!;
        var b = (await workerB.FindAsync(contract.Id, CancellationToken.None))!;
        // A payout failure touches the outbox row only: no audit entry, no other contract field.
        a.RecordPayoutFailure(payout, "error seen by A", clock.GetUtcNow());
        b.RecordPayoutFailure(payout, "error seen by B", clock.GetUtcNow());

        await workerA.SaveAsync(a, CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => workerB.SaveAsync(b, CancellationToken.None));

        var stored = (await database.LoadAsync(contract.Id)).Payout(payout);
        Assert.Equal((1, "error seen by A"), (stored.Attempts, stored.LastError));
    }

    [Fact]
    public async Task Each_save_advances_the_revision_and_a_store_can_save_the_same_contract_again()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);
        var afterAdd = contract.Revision;

        await using var store = database.NewStore();
        var loaded = (await store.FindAsync(contract.Id, CancellationToken.None))!;
        loaded.Propose(Build.Agency, clock.GetUtcNow());
        await store.SaveAsync(loaded, CancellationToken.None);
        loaded.Withdraw(Build.Agency, clock.GetUtcNow());
        await store.SaveAsync(loaded, CancellationToken.None);

        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(afterAdd + 2, stored.Revision);
        Assert.Equal(ContractState.Draft, stored.State);
        Assert.Equal(Snapshot.Of(loaded), Snapshot.Of(stored));
    }

    [Fact]
    public async Task Saving_a_contract_the_store_did_not_load_is_refused()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);

        await using var store = database.NewStore();
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(contract, CancellationToken.None));
    }
}
