using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// The loop of the host's background workers: wait until start-up is done, then one pass per interval until the host
/// stops. A pass that fails is logged and tried again next time; its work is safe to run twice.
/// </summary>
public static class WorkerLoop
{
    public static async Task RunAsync(StartupGate startup, IOptions<EscrowHostOptions> options, ILogger logger, string name, Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
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
                await pass(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Worker} pass failed; retrying in {Interval}", name, interval);
            }
            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }
}
