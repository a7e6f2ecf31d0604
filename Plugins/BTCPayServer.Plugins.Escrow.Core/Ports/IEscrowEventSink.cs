using BTCPayServer.Plugins.Escrow.Core.Webhooks;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// Where the events of saved acts go: the standalone host plans webhook deliveries into its outbox; the plugin hands
/// them to BTCPay's own webhooks. Called after the save; a failure here never undoes the act.
/// </summary>
public interface IEscrowEventSink
{
    Task PublishAsync(IReadOnlyList<EscrowEvent> events, CancellationToken cancellationToken);
}
