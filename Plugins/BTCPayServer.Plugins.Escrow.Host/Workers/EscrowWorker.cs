using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>Runs the timers and the payout outbox in a loop. Both are safe to run twice, so a crash mid-loop loses nothing.</summary>
public sealed class EscrowWorker(StartupGate startup, TimerSweep timers, PayoutDispatcher payouts, IOptions<EscrowHostOptions> options, ILogger<EscrowWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.Value.WorkerIntervalSeconds, 0.1, 3600));
        try
        {
            // Not before the databases are migrated and the gateway reconciled (a failure there stops the host).
            await startup.Ready.WaitAsync(stoppingToken);
        }
        catch (Exception)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var acts = await timers.RunDueAsync(stoppingToken);
                var claimable = await payouts.DispatchDueAsync(stoppingToken);
                if (acts + claimable > 0)
                    logger.LogInformation("Escrow worker: {Acts} contract(s) changed by timers, {Claimable} payout(s) made claimable", acts, claimable);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Escrow worker pass failed; retrying in {Interval}", interval);
            }
            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }
}
