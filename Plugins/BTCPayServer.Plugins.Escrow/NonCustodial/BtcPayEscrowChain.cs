using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;
using NBXplorer;
using NBXplorer.Models;

namespace BTCPayServer.Plugins.Escrow.NonCustodial;

/// <summary>
/// The non-custodial mode's chain inside BTCPay: the server's own NBXplorer for BTC, through BTCPay's
/// <see cref="ExplorerClientProvider"/>. Escrow addresses are tracked as plain addresses (not the store's wallet),
/// so the store's wallet never counts the escrowed coins as its own; BTCPay's NBXplorer listener publishes their
/// transactions like any tracked source. Broadcasts go through NBXplorer's <c>testmempoolaccept</c> first.
/// </summary>
public sealed class BtcPayEscrowChain(ExplorerClientProvider explorers) : IEscrowChain
{
    public const string CryptoCode = "BTC";

    public Network Network => (explorers.GetNetwork(CryptoCode) ?? throw NotConfigured()).NBitcoinNetwork;

    public Task<bool> IsAvailableAsync(CancellationToken cancellationToken) =>
        Task.FromResult(explorers.GetExplorerClient(CryptoCode) is not null && explorers.IsAvailable(CryptoCode));

    public async Task<int> GetHeightAsync(CancellationToken cancellationToken) =>
        (await Explorer().GetStatusAsync(cancellationToken)).ChainHeight;

    public Task WatchAsync(BitcoinAddress address, CancellationToken cancellationToken) =>
        Explorer().TrackAsync(TrackedSource.Create(address), cancellation: cancellationToken);

    public async Task<IReadOnlyList<ChainCoin>> GetCoinsAsync(BitcoinAddress address, CancellationToken cancellationToken)
    {
        var changes = await Explorer().GetUTXOsAsync(TrackedSource.Create(address), cancellationToken);
        return [.. changes.GetUnspentUTXOs(excludeUnconfirmedUTXOs: false)
            .Where(u => u.ScriptPubKey == address.ScriptPubKey)
            .Select(u => new ChainCoin(u.Outpoint, (Money)u.Value, (int)Math.Min(u.Confirmations, int.MaxValue)))
            .OrderBy(c => c.OutPoint.Hash.ToString(), StringComparer.Ordinal).ThenBy(c => c.OutPoint.N)];
    }

    public async Task<Transaction?> GetTransactionAsync(uint256 txid, CancellationToken cancellationToken) =>
        (await Explorer().GetTransactionAsync(txid, cancellationToken))?.Transaction;

    public async Task<FeeRate> GetFeeRateAsync(int blockTarget, FeeRate fallback, CancellationToken cancellationToken) =>
        (await Explorer().GetFeeRateAsync(blockTarget, fallback, cancellationToken)).FeeRate;

    public async Task<BroadcastOutcome> BroadcastAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        var explorer = Explorer();
        var txid = transaction.GetHash();
        var dryRun = await explorer.BroadcastAsync(transaction, testMempoolAccept: true, cancellationToken);
        if (!dryRun.Success)
            return BroadcastOutcome.Refused(txid, Reason(dryRun));
        var sent = await explorer.BroadcastAsync(transaction, testMempoolAccept: false, cancellationToken);
        return sent.Success ? BroadcastOutcome.Ok(txid) : BroadcastOutcome.Refused(txid, Reason(sent));
    }

    private static string Reason(BroadcastResult result) =>
        string.Join(": ", new[] { result.RPCCodeMessage, result.RPCMessage }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } text
            ? text
            : $"The node refused the transaction (code {result.RPCCode}).";

    private ExplorerClient Explorer() => explorers.GetExplorerClient(CryptoCode) ?? throw NotConfigured();

    private static InvalidOperationException NotConfigured() =>
        new("This BTCPay server has no BTC chain (NBXplorer) configured, which the non-custodial mode needs.");
}
