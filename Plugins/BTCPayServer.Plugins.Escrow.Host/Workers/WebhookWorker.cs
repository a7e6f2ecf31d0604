using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// Sends the webhook deliveries that are due, and forgets those that ended a month ago. Apart from the escrow worker: a slow endpoint
/// never holds up timers or payouts.
/// </summary>
public sealed class WebhookWorker(StartupGate startup, WebhookDispatcher dispatcher, IOptions<EscrowHostOptions> options, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WorkerLoop.RunAsync(startup, options, logger, "Webhook delivery", async ct =>
        {
            // A full batch means more may be due: go again at once.
            while (await dispatcher.DeliverDueAsync(ct) == WebhookDispatcher.BatchSize)
            {
            }
            await dispatcher.PruneIfDueAsync(ct);
        }, stoppingToken);
}
