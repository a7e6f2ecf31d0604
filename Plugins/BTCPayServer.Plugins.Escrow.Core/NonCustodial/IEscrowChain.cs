using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>An output paid to an escrow address, as the chain sees it now (0 confirmations while in the mempool).</summary>
public sealed record ChainCoin(OutPoint OutPoint, Money Amount, int Confirmations)
{
    public EscrowCoin ToEscrowCoin(Transaction? fundingTransaction = null) => new(OutPoint, Amount, fundingTransaction);
}

/// <summary>What a node answered to a transaction: accepted into its mempool, or refused with its reason.</summary>
public sealed record BroadcastOutcome(bool Accepted, uint256 TxId, string? Refusal)
{
    public static BroadcastOutcome Ok(uint256 txid) => new(true, txid, null);
    public static BroadcastOutcome Refused(uint256 txid, string reason) => new(false, txid, reason);
}

/// <summary>
/// The chain, as the non-custodial mode needs it: watch a milestone's escrow address, see what was paid to it and how
/// deep, the current height (for the pre-signed refund's lock time), a fee rate to propose, and broadcast. Inside
/// BTCPay it is the store's NBXplorer; in the standalone host the sandbox chain. No private key ever goes through it.
/// </summary>
public interface IEscrowChain
{
    Network Network { get; }

    /// <summary>True when the chain can be used now (configured and synchronised); the pages say so otherwise.</summary>
    Task<bool> IsAvailableAsync(CancellationToken cancellationToken);

    Task<int> GetHeightAsync(CancellationToken cancellationToken);

    /// <summary>Starts watching the address (idempotent): its payments are seen from now on, mempool included.</summary>
    Task WatchAsync(BitcoinAddress address, CancellationToken cancellationToken);

    /// <summary>The unspent outputs paying the address, with their confirmations.</summary>
    Task<IReadOnlyList<ChainCoin>> GetCoinsAsync(BitcoinAddress address, CancellationToken cancellationToken);

    /// <summary>The funding transaction of a coin, when the chain still has it (hardware wallets ask for it in the PSBT).</summary>
    Task<Transaction?> GetTransactionAsync(uint256 txid, CancellationToken cancellationToken);

    /// <summary>A fee rate for confirmation within <paramref name="blockTarget"/> blocks; <paramref name="fallback"/> when the node cannot estimate.</summary>
    Task<FeeRate> GetFeeRateAsync(int blockTarget, FeeRate fallback, CancellationToken cancellationToken);

    /// <summary>
    /// Offers the transaction to the node: first as a dry run (would the mempool take it?), then for real, so a refusal
    /// is reported with the node's reason and nothing half-sent.
    /// </summary>
    Task<BroadcastOutcome> BroadcastAsync(Transaction transaction, CancellationToken cancellationToken);
}

/// <summary>The standalone host's chain: the strict <see cref="SandboxChain"/> (no real funds), as an <see cref="IEscrowChain"/>.</summary>
public sealed class SandboxEscrowChain(SandboxChain chain) : IEscrowChain
{
    /// <summary>The sandbox's answer when asked for a fee estimate: it has no market, so a modest fixed rate.</summary>
    public static readonly FeeRate SandboxFeeRate = new(Money.Satoshis(2), 1);

    public Network Network => chain.Network;

    public SandboxChain Chain => chain;

    public Task<bool> IsAvailableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<int> GetHeightAsync(CancellationToken cancellationToken) => Task.FromResult(chain.Height);

    // The sandbox sees every address; watching is a no-op.
    public Task WatchAsync(BitcoinAddress address, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<ChainCoin>> GetCoinsAsync(BitcoinAddress address, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChainCoin>>([.. chain.UnspentOutputs(address.ScriptPubKey)
            .Select(u => new ChainCoin(u.OutPoint, u.Output.Value, chain.Confirmations(u.OutPoint.Hash) ?? 0))
            .OrderBy(c => c.OutPoint.Hash.ToString(), StringComparer.Ordinal).ThenBy(c => c.OutPoint.N)]);

    public Task<Transaction?> GetTransactionAsync(uint256 txid, CancellationToken cancellationToken) => Task.FromResult(chain.GetTransaction(txid));

    public Task<FeeRate> GetFeeRateAsync(int blockTarget, FeeRate fallback, CancellationToken cancellationToken) => Task.FromResult(SandboxFeeRate);

    public Task<BroadcastOutcome> BroadcastAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        var submitted = chain.Submit(transaction);
        return Task.FromResult(submitted.IsValid
            ? BroadcastOutcome.Ok(transaction.GetHash())
            : BroadcastOutcome.Refused(transaction.GetHash(), submitted.Problem!));
    }
}
