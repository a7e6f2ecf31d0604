using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;

namespace BTCPayServer.Plugins.Escrow.Webhooks;

/// <summary>Inside BTCPay: each escrow event goes onto BTCPay's event bus, where the store's own webhooks pick it up.</summary>
public sealed class BtcPayEventSink(EventAggregator events) : IEscrowEventSink
{
    public Task PublishAsync(IReadOnlyList<EscrowEvent> escrowEvents, CancellationToken cancellationToken)
    {
        foreach (var e in escrowEvents)
            events.Publish(e);
        return Task.CompletedTask;
    }
}
