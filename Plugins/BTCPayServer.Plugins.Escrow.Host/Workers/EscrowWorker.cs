using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// Runs the timers and the payout outbox in a loop, catches up on gateway events that could not be applied when they
/// came, and forgets old API idempotency records. All are safe to run twice, so a crash mid-loop loses nothing.
/// </summary>
public sealed class EscrowWorker(
    StartupGate startup, MissedGatewayEvents missed, TimerSweep timers, PayoutDispatcher payouts, IdempotencyRetention idempotency,
    IOptions<EscrowHostOptions> options, ILogger<EscrowWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WorkerLoop.RunAsync(startup, options, logger, "Escrow worker", async ct =>
        {
            var caughtUp = await missed.CatchUpAsync(ct);
            if (caughtUp > 0)
                logger.LogInformation("Escrow worker: {Applied} gateway event(s) applied that could not be when they came", caughtUp);
            var acts = await timers.RunDueAsync(ct);
            var claimable = await payouts.DispatchDueAsync(ct);
            await idempotency.PruneIfDueAsync(ct);
            if (acts + claimable > 0)
                logger.LogInformation("Escrow worker: {Acts} contract(s) changed by timers, {Claimable} payout(s) made claimable", acts, claimable);
        }, stoppingToken);
}
