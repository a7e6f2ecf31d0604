using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Automatic acts driven by time. Each act changes state, so running the timers twice does nothing the second time.
public sealed partial class Contract
{
    /// <summary>Performs every act that is due at <paramref name="now"/>; returns how many it performed.</summary>
    public int RunTimers(DateTimeOffset now)
    {
        var at = Moment(now);
        if (State != ContractState.Active)
            return 0;
        var acts = 0;
        foreach (var milestone in _milestones.Where(m => m.State == MilestoneState.Submitted && m.ReviewDeadline <= at).ToList())
        {
            Approve(milestone, Actor.Timer, "milestone.auto-approved", at);
            acts++;
        }
        foreach (var dispute in _disputes.Where(d => d.Status == DisputeStatus.Open && d.ResponseDeadline <= at).ToList())
        {
            dispute.Escalate("response window passed", at);
            Record(at, Actor.Timer, "dispute.escalated", ("milestone", Milestone(dispute.MilestoneId).Number), ("reason", "response window passed"));
            acts++;
        }
        foreach (var milestone in _milestones.Where(m => m.State is MilestoneState.Pending or MilestoneState.Funded && m.OverdueSince is null && m.DeliveryDeadline <= at).ToList())
        {
            milestone.MarkOverdue(at);
            Record(at, Actor.Timer, "milestone.overdue", ("milestone", milestone.Number), ("dueDate", milestone.DueDate?.ToString("yyyy-MM-dd")));
            acts++;
        }
        RefreshNextTimer();
        return acts;
    }

    private void RefreshNextTimer()
    {
        if (State != ContractState.Active)
        {
            NextTimerAt = null;
            return;
        }
        var candidates = _milestones.Where(m => m.State == MilestoneState.Submitted).Select(m => m.ReviewDeadline)
            .Concat(_disputes.Where(d => d.Status == DisputeStatus.Open).Select(d => (DateTimeOffset?)d.ResponseDeadline))
            .Concat(_milestones.Where(m => m.State is MilestoneState.Pending or MilestoneState.Funded && m.OverdueSince is null).Select(m => m.DeliveryDeadline))
            .Where(t => t is not null);
        NextTimerAt = candidates.Min();
    }
}
