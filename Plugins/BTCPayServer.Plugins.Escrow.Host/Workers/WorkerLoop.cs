using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// The loop of the host's background workers: wait for start-up, then one pass per interval; a pass that fails is
/// reported and the next one runs as planned.
/// </summary>
public static class WorkerLoop
{
    public static TimeSpan Interval(EscrowHostOptions options) => TimeSpan.FromSeconds(Math.Clamp(options.WorkerIntervalSeconds, 0.1, 3600));

    /// <summary>
    /// The loop at the configured interval, a failed pass logged as an error under <paramref name="name"/>. A database
    /// that is away is no error of the pass: one warning when it goes, one line when it is back (not a stack trace every
    /// interval for as long as it is down).
    /// </summary>
    public static Task RunAsync(StartupGate startup, IOptions<EscrowHostOptions> options, ILogger logger, string name, Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        var interval = Interval(options.Value);
        var away = false;
        return RunAsync(startup, interval, async ct =>
        {
            await pass(ct);
            if (away)
                logger.LogInformation("{Worker}: the database is reachable again; carrying on", name);
            away = false;
        }, e =>
        {
            if (!DatabaseUnavailable.In(e))
            {
                logger.LogError(e, "{Worker} pass failed; retrying in {Interval}", name, interval);
                return;
            }
            if (!away)
                logger.LogWarning("{Worker}: the database cannot be reached ({Reason}); trying again every {Interval}", name, DatabaseUnavailable.Reason(e), interval);
            away = true;
        }, stoppingToken);
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
