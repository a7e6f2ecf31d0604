using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using Microsoft.Extensions.Time.Testing;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class TimerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new(Start);

    private DateTimeOffset Now => _clock.GetUtcNow();

    private Contract Submitted(ContractBuilder? builder = null)
    {
        var contract = (builder ?? new ContractBuilder()).WithMilestone(1m).WithMilestone(2m).Active().Fund(1);
        contract.Submit(1, Now);
        return contract;
    }

    [Fact]
    public void Silence_past_the_review_window_auto_approves()
    {
        var contract = Submitted();
        Assert.Equal(Start + TimeSpan.FromDays(14), contract.M(1).ReviewDeadline);

        _clock.Advance(TimeSpan.FromDays(14) - Second);
        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Equal(MilestoneState.Submitted, contract.M(1).State);

        _clock.Advance(Second);
        Assert.Equal(1, contract.RunTimers(Now));

        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.ReleaseOf(1)!.Amount);
        var entry = contract.UnsavedAuditEntries.Single(e => e.Type == "milestone.auto-approved");
        Assert.Equal(ActorRole.System, entry.ActorRole);
        Assert.Equal(Now, entry.At);
    }

    [Fact]
    public void A_milestone_review_window_overrides_the_contract_one()
    {
        var contract = new ContractBuilder().WithMilestone(1m, reviewWindow: TimeSpan.FromDays(3)).Active().Fund(1);
        contract.Submit(1, Now);

        _clock.Advance(TimeSpan.FromDays(3));
        contract.RunTimers(Now);

        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
    }

    [Fact]
    public void Running_the_timers_twice_does_nothing_more()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).WithMilestone(3m, Today.AddDays(1)).Active().Fund(1, 2);
        contract.Submit(1, Now);
        contract.OpenDispute(contract.M(2).Id, PartyRole.Client, "Nothing yet", Now);
        _clock.Advance(TimeSpan.FromDays(30));

        Assert.Equal(3, contract.RunTimers(Now));
        var audit = contract.AuditCount;
        var payouts = contract.Payouts.Count;

        Assert.Equal(0, contract.RunTimers(Now));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, contract.RunTimers(Now));

        Assert.Equal(audit, contract.AuditCount);
        Assert.Equal(payouts, contract.Payouts.Count);
        Assert.Single(contract.Payouts);
    }

    [Fact]
    public void An_unanswered_dispute_is_escalated_when_its_response_window_passes()
    {
        var contract = new ContractBuilder().WithDisputeWindow(TimeSpan.FromDays(5)).Active().Fund(1);
        var id = contract.M(1).Id;
        contract.OpenDispute(id, PartyRole.Client, "Nothing delivered", Now);

        _clock.Advance(TimeSpan.FromDays(5) - Second);
        contract.RunTimers(Now);
        Assert.Equal(DisputeStatus.Open, contract.ActiveDispute(id)!.Status);

        _clock.Advance(Second);
        Assert.Equal(1, contract.RunTimers(Now));

        var dispute = contract.ActiveDispute(id)!;
        Assert.Equal(DisputeStatus.Escalated, dispute.Status);
        Assert.Equal("response window passed", dispute.EscalationReason);
        Assert.Equal(Now, dispute.EscalatedAt);
        contract.RuleOnDispute(id, 0m, "Nothing was delivered", Staff, Now);
        Assert.Equal(MilestoneState.Resolved, contract.M(1).State);
    }

    [Fact]
    public void A_funded_milestone_whose_due_day_ended_is_marked_overdue_once()
    {
        var due = Today.AddDays(2);
        var contract = new ContractBuilder().WithMilestone(1m, due).Active().Fund(1);
        var endOfDueDay = new DateTimeOffset(due.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        _clock.SetUtcNow(endOfDueDay - Second);
        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Null(contract.M(1).OverdueSince);

        _clock.SetUtcNow(endOfDueDay);
        Assert.Equal(1, contract.RunTimers(Now));
        Assert.Equal(endOfDueDay, contract.M(1).OverdueSince);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Empty(contract.Payouts);
        Assert.Contains("milestone.overdue", contract.AuditTypes());
    }

    [Fact]
    public void A_delivered_milestone_is_not_overdue()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today).WithReviewWindow(TimeSpan.FromDays(30)).Active().Fund(1);
        contract.Submit(1, Now);

        _clock.Advance(TimeSpan.FromDays(2));

        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Null(contract.M(1).OverdueSince);
    }

    [Fact]
    public void A_change_request_stops_the_review_clock()
    {
        var contract = Submitted();
        _clock.Advance(TimeSpan.FromDays(10));
        contract.RequestChanges(contract.M(1).Id, "The contact form is broken", Now);

        _clock.Advance(TimeSpan.FromDays(60));

        Assert.Null(contract.M(1).ReviewDeadline);
        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Equal(MilestoneState.ChangesRequested, contract.M(1).State);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void A_new_delivery_after_changes_starts_a_fresh_review_window()
    {
        var contract = Submitted();
        _clock.Advance(TimeSpan.FromDays(10));
        contract.RequestChanges(contract.M(1).Id, "The contact form is broken", Now);
        _clock.Advance(TimeSpan.FromDays(2));
        var resubmittedAt = Now;
        contract.Submit(1, resubmittedAt);

        Assert.Equal(resubmittedAt + TimeSpan.FromDays(14), contract.M(1).ReviewDeadline);
        _clock.SetUtcNow(resubmittedAt + TimeSpan.FromDays(14) - Second);
        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Equal(MilestoneState.Submitted, contract.M(1).State);

        _clock.Advance(Second);
        contract.RunTimers(Now);
        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
    }

    [Fact]
    public void The_next_timer_is_the_earliest_deadline()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m, Today.AddDays(20)).Active().Fund(1);
        Assert.Equal(new DateTimeOffset(Today.AddDays(21).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), contract.NextTimerAt);

        contract.Submit(1, Now);

        Assert.Equal(Start + TimeSpan.FromDays(14), contract.NextTimerAt);
    }

    [Fact]
    public void Timers_do_nothing_on_a_contract_that_is_not_active()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today).Proposed();
        _clock.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, contract.RunTimers(Now));
        Assert.Null(contract.NextTimerAt);
        Assert.Null(contract.M(1).OverdueSince);
    }

    [Fact]
    public void An_auto_approval_of_the_last_milestone_queues_its_release_and_the_claim_completes_the_contract()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        contract.Submit(1, Now);
        _clock.Advance(TimeSpan.FromDays(14));

        contract.RunTimers(Now);
        contract.MakeClaimable(contract.ReleaseOf(1)!, Now);

        Assert.Equal(PayoutStatus.Claimable, contract.ReleaseOf(1)!.Status);
        Assert.Equal(ContractState.Completed, contract.State);
        Assert.Null(contract.NextTimerAt);
    }
}
