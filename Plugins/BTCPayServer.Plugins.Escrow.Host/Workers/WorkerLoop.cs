using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// The loop of the host's background workers: wait for start-up, then one pass per interval; a pass that fails is
/// reported and the next one runs as planned.
/// </summary>
public static class WorkerLoop
{
    public static TimeSpan Interval(EscrowHostOptions options) => TimeSpan.FromSeconds(Math.Clamp(options.WorkerIntervalSeconds, 0.1, 3600));

    /// <summary>The loop at the configured interval, a failed pass logged as an error under <paramref name="name"/>.</summary>
    public static Task RunAsync(StartupGate startup, IOptions<EscrowHostOptions> options, ILogger logger, string name, Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        var interval = Interval(options.Value);
        return RunAsync(startup, interval, pass, e => logger.LogError(e, "{Worker} pass failed; retrying in {Interval}", name, interval), stoppingToken);
    }

    public static async Task RunAsync(StartupGate startup, TimeSpan interval, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken stoppingToken)
    {
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
                failed(e);
            }
            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }
}
