namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// Opens a fresh unit of work. Background work (events, timers, the outbox) opens one per attempt, so a retry after a
/// concurrency conflict starts from what is stored now rather than from a stale copy.
/// </summary>
public interface IContractStoreFactory
{
    IContractStore Open();
}
