using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Faults;

/// <summary>
/// Many writers deciding the same milestone at the same moment on a real PostgreSQL server: every one of them read the
/// same state, exactly one decision is stored, every other writer gets a conflict, and no payout is doubled.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrentDecisionTests(PostgresDatabase database)
{
    private const int Writers = 100;

    private enum Act { Approve, Dispute, RequestChanges, AutoApprove }

    private enum FundedAct { CancelContract, Submit, Dispute, CancelMissedMilestone }

    [Fact]
    public async Task Of_a_hundred_conflicting_decisions_on_one_milestone_exactly_one_is_stored()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        var milestoneId = contract.Milestones[0].Id;
        contract.SubmitDeliverable(milestoneId, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        var late = contract.Milestones[0].ReviewDeadline!.Value; // the timer's view: the review window has passed

        var outcomes = await RaceAsync(contract.Id, i => (Act)(i % 4), (c, act) =>
        {
            switch (act)
            {
                case Act.Approve: c.Approve(milestoneId, clock.GetUtcNow()); break;
                case Act.Dispute: c.OpenDispute(milestoneId, PartyRole.Freelancer, "Unpaid", clock.GetUtcNow()); break;
                case Act.RequestChanges: c.RequestChanges(milestoneId, "Again", clock.GetUtcNow()); break;
                case Act.AutoApprove: c.RunTimers(late); break;
            }
        });

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<ConcurrencyConflictException>(o));
        var stored = await database.LoadAsync(contract.Id);
        Assert.Contains(stored.Milestones[0].State, new[] { MilestoneState.Approved, MilestoneState.Disputed, MilestoneState.ChangesRequested });
        Assert.True(stored.Payouts.Count(p => p.Kind == PayoutKind.Release) <= 1);
        await AssertChainIsWhole(stored);
    }

    [Fact]
    public async Task Of_a_hundred_conflicting_acts_on_a_funded_milestone_exactly_one_is_stored()
    {
        // Before any delivery: the agency cancels the contract, the freelancer delivers, the client disputes, and the
        // client cancels the milestone as overdue (its due date passed), all from the same stored state.
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        var milestoneId = contract.Milestones[0].Id;
        await database.AddAsync(contract);
        var overdue = contract.Milestones[0].DeliveryDeadline!.Value.AddHours(1);

        var outcomes = await RaceAsync(contract.Id, i => (FundedAct)(i % 4), (c, act) =>
        {
            switch (act)
            {
                case FundedAct.CancelContract: c.Cancel(Build.Agency, "The client withdrew", clock.GetUtcNow()); break;
                case FundedAct.Submit: c.SubmitDeliverable(milestoneId, "Done", [], [], clock.GetUtcNow()); break;
                case FundedAct.Dispute: c.OpenDispute(milestoneId, PartyRole.Client, "Nothing delivered", clock.GetUtcNow()); break;
                case FundedAct.CancelMissedMilestone: c.CancelMissedMilestone(milestoneId, overdue); break;
            }
        });

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<ConcurrencyConflictException>(o));
        var stored = await database.LoadAsync(contract.Id);
        Assert.Contains(stored.Milestones[0].State, new[] { MilestoneState.Refunded, MilestoneState.Submitted, MilestoneState.Disputed });
        Assert.True(stored.Payouts.Count(p => p.Kind == PayoutKind.Refund && p.MilestoneId == milestoneId) <= 1);
        Assert.DoesNotContain(stored.Payouts, p => p.Kind == PayoutKind.Release);
        await AssertChainIsWhole(stored);
    }

    [Fact]
    public async Task Two_rulings_at_once_store_one_ruling_and_one_pair_of_payouts()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        var milestoneId = contract.Milestones[0].Id;
        contract.OpenDispute(milestoneId, PartyRole.Client, "Late", clock.GetUtcNow());
        contract.EscalateDispute(milestoneId, Actor.Client, clock.GetUtcNow());
        await database.AddAsync(contract);
        var amount = contract.Milestones[0].Amount.Amount;

        var outcomes = await RaceAsync(contract.Id, i => i, (c, i) =>
            c.RuleOnDispute(milestoneId, decimal.Round(amount * (i % 10) / 10m, 2), $"Ruling {i}", Actor.Agency($"staff-{i % 2}"), clock.GetUtcNow()));

        Assert.Equal(1, outcomes.Count(o => o is null));
        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(MilestoneState.Resolved, stored.Milestones[0].State);
        Assert.True(stored.Payouts.Count(p => p.Kind == PayoutKind.Release) <= 1);
        Assert.True(stored.Payouts.Count(p => p.Kind == PayoutKind.Refund) <= 1);
        Assert.Equal(stored.Milestones[0].Funded, stored.Milestones[0].ReleasedToFreelancer + stored.Milestones[0].FeesRetained + stored.Milestones[0].RefundedToClient);
        Assert.Single(stored.Disputes, d => d.RulingReason is not null);
        await AssertChainIsWhole(stored);
    }

    /// <summary>Every writer loads first; then all act and save at once. Returns each writer's error, or null for success.</summary>
    private async Task<Exception?[]> RaceAsync<T>(Guid contractId, Func<int, T> pick, Action<Contract, T> act)
    {
        var stores = Enumerable.Range(0, Writers).Select(_ => database.NewStore()).ToArray();
        try
        {
            var loaded = await Task.WhenAll(stores.Select(s => s.FindAsync(contractId, CancellationToken.None)));
            using var start = new ManualResetEventSlim(false);
            var writers = loaded.Select((contract, i) => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    act(contract!, pick(i));
                    await stores[i].SaveAsync(contract!, CancellationToken.None);
                    return (Exception?)null;
                }
                catch (EscrowException e)
                {
                    return e;
                }
            })).ToArray();
            start.Set();
            return await Task.WhenAll(writers);
        }
        finally
        {
            foreach (var store in stores)
                await store.DisposeAsync();
        }
    }

    private async Task AssertChainIsWhole(Contract stored)
    {
        await using var log = database.NewStore();
        var entries = await log.ReadAsync(stored.Id, CancellationToken.None);
        var verification = AuditChain.Verify(entries);
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(stored.AuditCount, entries.Count);
        Assert.Equal(stored.AuditHeadHash, verification.HeadHash);
    }
}
