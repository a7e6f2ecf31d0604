using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>Sends the webhook deliveries that are due. Apart from the escrow worker: a slow endpoint never holds up timers or payouts.</summary>
public sealed class WebhookWorker(StartupGate startup, WebhookDispatcher dispatcher, IOptions<EscrowHostOptions> options, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.Value.WorkerIntervalSeconds, 0.1, 3600));
        try
        {
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
                // A full batch means more may be due: go again at once.
                while (await dispatcher.DeliverDueAsync(stoppingToken) == WebhookDispatcher.BatchSize)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Webhook delivery pass failed; retrying in {Interval}", interval);
            }
            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }
}
