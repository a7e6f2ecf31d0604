using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// Runs the timers and the payout outbox in a loop, catches up on gateway events that could not be applied when they
/// came, and forgets old API idempotency records. All are safe to run twice, so a crash mid-loop loses nothing.
/// </summary>
public sealed class EscrowWorker(
    StartupGate startup, MissedGatewayEvents missed, TimerSweep timers, PayoutDispatcher payouts, IdempotencyRetention idempotency,
    IOptions<EscrowHostOptions> options, IServiceScopeFactory scopes, ILogger<EscrowWorker> logger) : BackgroundService
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
            await WatchChainAsync(ct);
            if (acts + claimable > 0)
                logger.LogInformation("Escrow worker: {Acts} contract(s) changed by timers, {Claimable} payout(s) made claimable", acts, claimable);
        }, stoppingToken);

    /// <summary>Non-custodial contracts: escrow addresses, funding seen on chain, signing rounds for queued payouts, confirmations.</summary>
    private async Task WatchChainAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (Web.Infrastructure.NonCustodialServices.Watcher(scope.ServiceProvider) is not { } watcher)
            return;
        var report = await watcher.RunAsync(ct);
        if (report.EscrowsMade + report.EventsApplied + report.SpendsOpened + report.SpendsConfirmed > 0)
            logger.LogInformation("Escrow worker, chain: {Made} escrow address(es) made, {Events} payment event(s) applied, {Opened} signing round(s) opened, {Confirmed} spend(s) confirmed",
                report.EscrowsMade, report.EventsApplied, report.SpendsOpened, report.SpendsConfirmed);
    }
}
