using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>Runs the timers and the payout outbox in a loop. Both are safe to run twice, so a crash mid-loop loses nothing.</summary>
public sealed class EscrowWorker(StartupGate startup, TimerSweep timers, PayoutDispatcher payouts, IOptions<EscrowHostOptions> options, ILogger<EscrowWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = WorkerLoop.Interval(options.Value);
        return WorkerLoop.RunAsync(startup, interval, async ct =>
        {
            var acts = await timers.RunDueAsync(ct);
            var claimable = await payouts.DispatchDueAsync(ct);
            if (acts + claimable > 0)
                logger.LogInformation("Escrow worker: {Acts} contract(s) changed by timers, {Claimable} payout(s) made claimable", acts, claimable);
        }, e => logger.LogError(e, "Escrow worker pass failed; retrying in {Interval}", interval), stoppingToken);
    }
}
