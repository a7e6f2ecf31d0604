using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>Parties hear about an act only once it is stored, and a notifier that fails never undoes the act.</summary>
public abstract class NotificationTests(StoreDatabase database)
{
    private sealed class Recorder(bool fail) : IEscrowNotifier
    {
        public List<EscrowNotification> Sent { get; } = [];

        public Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken)
        {
            if (fail)
                throw new InvalidOperationException("mail server down");
            Sent.Add(notification);
            return Task.FromResult(NotificationResult.Sent);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_saved_timer_act_notifies_after_the_save_and_a_failing_notifier_does_not_undo_it(bool notifierFails)
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        clock.Advance(TimeSpan.FromDays(15));
        var recorder = new Recorder(notifierFails);

        var changed = await new TimerSweep(new EfContractStoreFactory(database.NewContext), clock, recorder).RunDueAsync(CancellationToken.None);

        Assert.True(changed >= 1);
        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(MilestoneState.Approved, stored.Milestones[0].State);
        if (!notifierFails)
            Assert.Contains(recorder.Sent, n => n.ContractId == contract.Id && n.Recipient == contract.Freelancer.Email && n.Subject.Contains("approved"));
    }
}
