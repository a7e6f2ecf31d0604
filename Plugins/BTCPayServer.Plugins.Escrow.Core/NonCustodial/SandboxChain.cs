using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>An unspent output of the sandbox chain; <see cref="Height"/> is null while its transaction is unconfirmed.</summary>
public sealed record SandboxUtxo(OutPoint OutPoint, TxOut Output, int? Height);

/// <summary>
/// A strict stand-in for a Bitcoin node, for development and tests only (no bitcoind exists here): it holds UTXOs and
/// a height, and takes a transaction into its mempool only if a real node would: every input exists and is unspent,
/// scripts verify under the standard flags, the lock time and BIP-68 sequence locks are final for the next block
/// (height-based only; time-based locks are refused rather than guessed), and the transaction is standard with a fee
/// of at least 1 sat/vB. <see cref="Mine"/> confirms the mempool. Thread-safe, because a host shares one instance.
/// </summary>
public sealed class SandboxChain(Network network, int height = 100)
{
    private const uint LockTimeThreshold = 500_000_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<OutPoint, SandboxUtxo> _utxos = new();
    private readonly HashSet<OutPoint> _spent = new();
    private readonly Dictionary<uint256, (Transaction Tx, int? Height)> _transactions = new();
    private readonly List<uint256> _mempool = new();
    private int _height = height;

    public Network Network { get; } = network;

    public int Height
    {
        get { lock (_lock) return _height; }
    }

    /// <summary>
    /// Pays <paramref name="amount"/> to <paramref name="address"/> from nowhere, like a faucet: the transaction spends
    /// a made-up outpoint and is taken without checks, unconfirmed until the next <see cref="Mine"/>.
    /// </summary>
    public Transaction Fund(BitcoinAddress address, Money amount)
    {
        if (amount <= Money.Zero)
            throw new ArgumentOutOfRangeException(nameof(amount), "A funding amount must be positive.");
        lock (_lock)
        {
            var tx = Network.CreateTransaction();
            tx.Version = 2;
            var faucet = new uint256(RandomUtils.GetBytes(32));
            tx.Inputs.Add(new TxIn(new OutPoint(faucet, 0)));
            tx.Outputs.Add(new TxOut(amount, address));
            AddToMempool(tx);
            return tx;
        }
    }

    /// <summary>Takes the transaction into the mempool, or says why a node would refuse it.</summary>
    public Checked<Transaction> Submit(Transaction tx)
    {
        lock (_lock)
        {
            if (Refusal(tx) is { } problem)
                return Checked<Transaction>.Refused("transaction", problem);
            foreach (var input in tx.Inputs)
            {
                _utxos.Remove(input.PrevOut);
                _spent.Add(input.PrevOut);
            }
            AddToMempool(tx);
            return Checked<Transaction>.Ok(tx);
        }
    }

    /// <summary>Mines <paramref name="blocks"/> blocks; the mempool is confirmed in the first of them.</summary>
    public void Mine(int blocks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        lock (_lock)
        {
            _height++;
            foreach (var txid in _mempool)
            {
                var tx = _transactions[txid].Tx;
                _transactions[txid] = (tx, _height);
                for (var i = 0; i < tx.Outputs.Count; i++)
                {
                    var outPoint = new OutPoint(txid, i);
                    if (_utxos.ContainsKey(outPoint))
                        _utxos[outPoint] = _utxos[outPoint] with { Height = _height };
                }
            }
            _mempool.Clear();
            _height += blocks - 1;
        }
    }

    /// <summary>0 while in the mempool, null when unknown.</summary>
    public int? Confirmations(uint256 txid)
    {
        lock (_lock)
            return _transactions.TryGetValue(txid, out var entry) ? entry.Height is { } h ? _height - h + 1 : 0 : null;
    }

    public Transaction? GetTransaction(uint256 txid)
    {
        lock (_lock)
            return _transactions.TryGetValue(txid, out var entry) ? entry.Tx : null;
    }

    public IReadOnlyList<SandboxUtxo> UnspentOutputs(Script scriptPubKey)
    {
        lock (_lock)
            return _utxos.Values.Where(u => u.Output.ScriptPubKey == scriptPubKey).ToList();
    }

    private void AddToMempool(Transaction tx)
    {
        var txid = tx.GetHash();
        _transactions[txid] = (tx, null);
        _mempool.Add(txid);
        for (var i = 0; i < tx.Outputs.Count; i++)
            if (!tx.Outputs[i].ScriptPubKey.IsUnspendable)
                _utxos[new OutPoint(txid, i)] = new SandboxUtxo(new OutPoint(txid, i), tx.Outputs[i], null);
    }

    private string? Refusal(Transaction tx)
    {
        if (_transactions.ContainsKey(tx.GetHash()))
            return "This transaction is already known.";
        var spent = new List<SandboxUtxo>();
        foreach (var input in tx.Inputs)
        {
            if (_utxos.TryGetValue(input.PrevOut, out var utxo))
                spent.Add(utxo);
            else if (_spent.Contains(input.PrevOut))
                return $"Input {input.PrevOut} is already spent (a conflicting transaction was accepted first).";
            else
                return $"Input {input.PrevOut} does not exist on this chain.";
        }

        // A node's mempool takes what could go in the next block.
        var nextHeight = _height + 1;
        if (!IsFinal(tx, nextHeight, out var lockProblem))
            return lockProblem;
        if (SequenceLockProblem(tx, spent, nextHeight) is { } sequenceProblem)
            return sequenceProblem;
        return TransactionPolicyCheck.Problem(tx, spent.Select(u => u.Output).ToList());
    }

    /// <summary>Bitcoin Core's IsFinalTx for heights: a lock time below the block's height, or every input final.</summary>
    private static bool IsFinal(Transaction tx, int blockHeight, out string? problem)
    {
        problem = null;
        var lockTime = tx.LockTime.Value;
        if (lockTime == 0 || tx.Inputs.All(i => i.Sequence == Sequence.Final))
            return true;
        if (lockTime >= LockTimeThreshold)
        {
            problem = "The sandbox chain only knows block heights; a lock time by date is refused.";
            return false;
        }
        if (lockTime < blockHeight)
            return true;
        problem = $"The transaction is locked until block {lockTime}; the chain is at {blockHeight - 1}, so it can be mined from block {lockTime + 1} on (non-final).";
        return false;
    }

    /// <summary>BIP-68 relative locks by height (version 2 and up, when an input's disable flag is clear).</summary>
    private static string? SequenceLockProblem(Transaction tx, IReadOnlyList<SandboxUtxo> spent, int blockHeight)
    {
        if (tx.Version < 2)
            return null;
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            var sequence = (uint)tx.Inputs[i].Sequence;
            if ((sequence & (1u << 31)) != 0)
                continue;
            if ((sequence & (1u << 22)) != 0)
                return $"Input {i} has a relative lock by time; the sandbox chain only knows block heights.";
            var blocks = (int)(sequence & 0xffff);
            if (blocks == 0)
                continue;
            if (spent[i].Height is not { } confirmed || blockHeight - confirmed < blocks)
                return $"Input {i} is locked for {blocks} blocks after its funding confirms (non-BIP68-final).";
        }
        return null;
    }
}
