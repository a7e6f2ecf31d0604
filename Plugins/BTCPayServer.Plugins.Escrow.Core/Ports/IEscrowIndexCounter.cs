namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// Hands out non-custodial milestone indexes per scope (the agency's key): each index at most once, so the agency's key
/// at <c>/0/index</c> never repeats on chain across contracts, whichever store uses it. An index taken by a save that
/// then failed is skipped, never reused.
/// </summary>
public interface IEscrowIndexCounter
{
    /// <summary>
    /// Reserves <paramref name="count"/> consecutive indexes of <paramref name="scope"/> and answers the first. A scope
    /// used for the first time starts where <paramref name="continueFrom"/> (an older scope, e.g. the store's) stopped.
    /// </summary>
    Task<uint> ReserveAsync(string scope, int count, CancellationToken cancellationToken, string? continueFrom = null);
}
