using BTCPayServer.Plugins.Escrow.Core.Application;

namespace BTCPayServer.Plugins.Escrow.Host.Workers;

/// <summary>
/// Gateway events the escrow could not apply when they came (its database was away): the gateway has the facts, so the
/// escrow worker reconciles with it at its next pass, and again at each pass until one goes through. Without this the
/// sandbox's events lost that way waited for the next start of the host (remote BTCPay mode polls anyway).
/// </summary>
public sealed class MissedGatewayEvents(GatewayReconciliation reconciliation)
{
    private int _missed;

    /// <summary>An event was not applied (or a reconciliation failed): reconcile at the next pass.</summary>
    public void Note() => Interlocked.Exchange(ref _missed, 1);

    /// <summary>Reconciles if something was missed; answers the events applied.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _missed, 0) == 0)
            return 0;
        try
        {
            return (await reconciliation.RunAsync(cancellationToken)).EventsApplied;
        }
        catch
        {
            Note();
            throw;
        }
    }
}
