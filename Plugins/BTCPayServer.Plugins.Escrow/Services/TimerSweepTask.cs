using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>The escrow's automatic acts (auto-approval, dispute escalation, missed deadlines), on BTCPay's scheduler.</summary>
public sealed class TimerSweepTask(TimerSweep timers, ILogger<TimerSweepTask> logger) : IPeriodicTask
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    public async Task Do(CancellationToken cancellationToken)
    {
        var changed = await timers.RunDueAsync(cancellationToken);
        if (changed > 0)
            logger.LogInformation("Escrow timers changed {Contracts} contract(s)", changed);
    }
}
