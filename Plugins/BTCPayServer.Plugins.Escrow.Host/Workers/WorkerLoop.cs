namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// The loop of the host's background workers: wait for start-up, then one pass per interval; a pass that fails is
/// reported and the next one runs as planned.
/// </summary>
public static class WorkerLoop
{
    public static TimeSpan Interval(EscrowHostOptions options) => TimeSpan.FromSeconds(Math.Clamp(options.WorkerIntervalSeconds, 0.1, 3600));

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
