namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>The non-custodial contracts still in play: those the chain watcher polls (escrow addresses, spends).</summary>
public interface IEscrowWatchList
{
    Task<IReadOnlyList<Guid>> ListOpenNonCustodialContractsAsync(CancellationToken cancellationToken);
}
