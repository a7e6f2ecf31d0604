namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// Start-up work that must finish before anything is served: the escrow's and the sandbox's databases brought up to
/// date, then the reconciliation with the gateway (so the first page shown already counts what was missed while the
/// host was down). The web server starts meanwhile, on the other core; every request and the worker wait here.
/// </summary>
public sealed class StartupGate
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    /// <summary>Runs <paramref name="work"/> in the background and opens the gate when it is done (or fails it).</summary>
    public void Run(Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
        }
    });
}
