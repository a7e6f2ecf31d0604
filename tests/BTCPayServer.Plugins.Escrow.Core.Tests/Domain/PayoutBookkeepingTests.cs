using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class PayoutBookkeepingTests
{
    private static Contract Approved()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        return contract;
    }

    private static InboundPaymentEvent PayoutCompleted(string eventId, string? pullPaymentId) =>
        new(eventId, InboundEventKind.PayoutCompleted, Start, PullPaymentId: pullPaymentId, PayoutId: "payout-1");

    [Fact]
    public void A_claimable_release_moves_its_approved_milestone_to_released()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;

        contract.MarkPayoutClaimable(release.Id, "pp-1", "https://pay.example/pp-1", Start.AddMinutes(1));

        Assert.Equal(MilestoneState.Released, contract.M(1).State);
        Assert.Equal(PayoutStatus.Claimable, release.Status);
        Assert.Equal("pp-1", release.PullPaymentId);
        Assert.Equal("https://pay.example/pp-1", release.ClaimLink);
        Assert.Equal(Start.AddMinutes(1), release.ClaimableAt);
        Assert.Null(release.NextAttemptAt);
        Assert.False(release.IsDue(Start.AddYears(1)));
        Assert.Contains("payout.claimable", contract.AuditTypes());
    }

    [Fact]
    public void Reporting_the_same_pull_payment_twice_changes_nothing()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;
        contract.MarkPayoutClaimable(release.Id, "pp-1", "https://pay.example/pp-1", Start);
        var audit = contract.AuditCount;

        contract.MarkPayoutClaimable(release.Id, "pp-2", "https://pay.example/pp-2", Start);

        Assert.Equal("pp-1", release.PullPaymentId);
        Assert.Equal(audit, contract.AuditCount);
    }

    [Fact]
    public void A_gateway_reply_without_an_id_or_link_is_refused()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;

        var ex = Assert.Throws<EscrowException>(() => contract.MarkPayoutClaimable(release.Id, "pp-1", " ", Start));

        Assert.Equal("payout.gateway-reply", ex.Code);
        Assert.Equal(PayoutStatus.Queued, release.Status);
        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
    }

    [Fact]
    public void A_claimable_refund_leaves_its_milestone_as_it_is()
    {
        var contract = Approved();
        contract.Cancel(Staff, "stop", Start);
        var refund = contract.RefundOf(2)!;

        contract.MakeClaimable(refund);

        Assert.Equal(PayoutStatus.Claimable, refund.Status);
        Assert.Equal(MilestoneState.Refunded, contract.M(2).State);
    }

    [Fact]
    public void A_completed_payout_is_marked_completed_once()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;
        contract.MarkPayoutClaimable(release.Id, "pp-1", "https://pay.example/pp-1", Start);

        Assert.True(contract.ApplyPaymentEvent(PayoutCompleted("done-1", "pp-1"), Start.AddHours(1)));
        var audit = contract.AuditCount;
        Assert.True(contract.ApplyPaymentEvent(PayoutCompleted("done-2", "pp-1"), Start.AddHours(2)));
        Assert.False(contract.ApplyPaymentEvent(PayoutCompleted("done-1", "pp-1"), Start.AddHours(3)));

        Assert.Equal(PayoutStatus.Completed, release.Status);
        Assert.Equal(Start.AddHours(1), release.CompletedAt);
        Assert.Equal(audit, contract.AuditCount);
        Assert.Single(contract.UnsavedAuditEntries, e => e.Type == "payout.completed");
    }

    [Fact]
    public void A_completed_payout_of_an_unknown_pull_payment_is_refused()
    {
        var contract = Approved();

        Assert.Throws<NotFoundException>(() => contract.ApplyPaymentEvent(PayoutCompleted("done-1", "pp-unknown"), Start));
        Assert.DoesNotContain(contract.ProcessedEvents, p => p.EventId == "done-1");
    }

    [Fact]
    public void A_completed_payout_without_a_pull_payment_id_completes_nothing()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;

        var ex = Assert.Throws<InvalidInputException>(() => contract.ApplyPaymentEvent(PayoutCompleted("done-1", null), Start));

        Assert.Equal("pullPaymentId", ex.Field);

        Assert.Equal(PayoutStatus.Queued, release.Status);
        contract.MakeClaimable(release);
        Assert.Equal(MilestoneState.Released, contract.M(1).State);
    }

    [Fact]
    public void A_failed_attempt_is_retried_later_with_growing_back_off()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;
        Assert.True(release.IsDue(Start));

        contract.RecordPayoutFailure(release.Id, "gateway down", Start);
        Assert.Equal(1, release.Attempts);
        Assert.Equal("gateway down", release.LastError);
        Assert.False(release.IsDue(Start.AddSeconds(29)));
        Assert.True(release.IsDue(Start.AddSeconds(30)));

        contract.RecordPayoutFailure(release.Id, "still down", Start.AddSeconds(30));
        Assert.Equal(Start.AddSeconds(90), release.NextAttemptAt);

        contract.MakeClaimable(release, Start.AddSeconds(90));
        Assert.Null(release.LastError);
    }

    [Fact]
    public void The_back_off_is_capped_at_one_hour()
    {
        var contract = Approved();
        var release = contract.ReleaseOf(1)!;

        for (var i = 0; i < 20; i++)
            contract.RecordPayoutFailure(release.Id, "down", Start);

        Assert.Equal(Start.AddHours(1), release.NextAttemptAt);
    }

    [Fact]
    public void Each_instruction_carries_a_unique_key_per_decision_and_recipient()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        var id = contract.M(2).Id;
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.OpenDispute(id, PartyRole.Client, "Half done", Start);
        contract.EscalateDispute(id, Audit.Actor.Client, Start);
        contract.RuleOnDispute(id, 1m, "Half", Staff, Start);

        Assert.Equal(3, contract.Payouts.Count);
        Assert.Equal(contract.Payouts.Count, contract.Payouts.Select(p => p.Key).Distinct().Count());
        Assert.All(contract.Payouts, p => Assert.StartsWith($"{contract.Id:N}/milestone/", p.Key));
    }
}
