namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// Hands out a store's non-custodial milestone indexes: each index at most once per store, so the agency's key at
/// <c>/0/index</c> never repeats on chain across contracts. An index taken by a save that then failed is skipped, never reused.
/// </summary>
public interface IEscrowIndexCounter
{
    /// <summary>Reserves <paramref name="count"/> consecutive indexes and answers the first.</summary>
    Task<uint> ReserveAsync(string storeId, int count, CancellationToken cancellationToken);
}
