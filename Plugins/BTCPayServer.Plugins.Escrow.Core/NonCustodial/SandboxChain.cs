using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>An unspent output of the sandbox chain; <see cref="Height"/> is null while its transaction is unconfirmed.</summary>
public sealed record SandboxUtxo(OutPoint OutPoint, TxOut Output, int? Height);

/// <summary>One change of a sandbox chain, as a journal records it and <see cref="SandboxChain.Replay"/> applies it again.</summary>
public sealed record SandboxChainEntry(SandboxChainChange Change, Transaction? Transaction, int Blocks)
{
    public static SandboxChainEntry Funded(Transaction faucetTransaction) => new(SandboxChainChange.Funded, faucetTransaction, 0);
    public static SandboxChainEntry Accepted(Transaction transaction) => new(SandboxChainChange.Accepted, transaction, 0);
    public static SandboxChainEntry Mined(int blocks) => new(SandboxChainChange.Mined, null, blocks);
    public static SandboxChainEntry Dropped(Transaction transaction) => new(SandboxChainChange.Dropped, transaction, 0);
}

public enum SandboxChainChange
{
    Funded = 1,
    Accepted = 2,
    Mined = 3,
    Dropped = 4,
}

/// <summary>
/// Where a persistent sandbox chain writes each change, in order, before applying it: when <see cref="Append"/> throws,
/// the chain stays as it was. Called under the chain's lock, so entries are written in the chain's own order.
/// </summary>
public interface ISandboxChainJournal
{
    void Append(SandboxChainEntry entry);
}

/// <summary>
/// A strict stand-in for a Bitcoin node, for development and tests only (no bitcoind exists here): it holds UTXOs and
/// a height, and takes a transaction into its mempool only if a real node would: every input exists and is unspent,
/// scripts verify under the standard flags, the lock time and BIP-68 sequence locks are final for the next block
/// (height-based only; time-based locks are refused rather than guessed), and the transaction is standard with a fee
/// of at least 1 sat/vB. <see cref="Mine"/> confirms the mempool. Thread-safe, because a host shares one instance.
/// With a <see cref="ISandboxChainJournal"/> every change is recorded first, and <see cref="Replay"/> rebuilds the chain.
/// </summary>
public sealed class SandboxChain(Network network, int height = 100, ISandboxChainJournal? journal = null)
{
    private const uint LockTimeThreshold = 500_000_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<OutPoint, SandboxUtxo> _utxos = new();
    private readonly HashSet<OutPoint> _spent = new();
    private readonly Dictionary<uint256, (Transaction Tx, int? Height)> _transactions = new();
    private readonly List<uint256> _mempool = new();
    private int _height = height;
    private ISandboxChainJournal? _journal = journal;

    public Network Network { get; } = network;

    public int Height
    {
        get { lock (_lock) return _height; }
    }

    /// <summary>
    /// A chain rebuilt from its journal's entries, in their order, starting at <paramref name="height"/>; then it
    /// records its changes to <paramref name="journal"/>. An accepted transaction is checked again as it was then, so
    /// a journal that was tampered with (or a rule that became stricter) fails here with the entry's number.
    /// </summary>
    public static SandboxChain Replay(Network network, IEnumerable<SandboxChainEntry> entries, ISandboxChainJournal? journal = null, int height = 100)
    {
        var chain = new SandboxChain(network, height);
        var number = 0;
        foreach (var entry in entries)
        {
            number++;
            switch (entry.Change)
            {
                case SandboxChainChange.Funded:
                    chain.AddToMempool(entry.Transaction ?? throw new InvalidOperationException($"Sandbox chain entry {number} (funded) has no transaction."));
                    break;
                case SandboxChainChange.Accepted:
                    var tx = entry.Transaction ?? throw new InvalidOperationException($"Sandbox chain entry {number} (accepted) has no transaction.");
                    if (chain.Refusal(tx) is { } problem)
                        throw new InvalidOperationException($"Sandbox chain entry {number} ({tx.GetHash()}) cannot be replayed: {problem}");
                    chain.Accept(tx);
                    break;
                case SandboxChainChange.Mined when entry.Blocks >= 1:
                    chain.MineUnjournaled(entry.Blocks);
                    break;
                case SandboxChainChange.Dropped:
                    var dropped = entry.Transaction ?? throw new InvalidOperationException($"Sandbox chain entry {number} (dropped) has no transaction.");
                    if (chain.DropRefusal(dropped.GetHash()) is { } dropProblem)
                        throw new InvalidOperationException($"Sandbox chain entry {number} (dropping {dropped.GetHash()}) cannot be replayed: {dropProblem}");
                    chain.DropUnjournaled(dropped.GetHash());
                    break;
                default:
                    throw new InvalidOperationException($"Sandbox chain entry {number} is not a change this chain knows ({entry.Change}, {entry.Blocks} blocks).");
            }
        }
        chain._journal = journal;
        return chain;
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
            _journal?.Append(SandboxChainEntry.Funded(tx));
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
            _journal?.Append(SandboxChainEntry.Accepted(tx));
            Accept(tx);
            return Checked<Transaction>.Ok(tx);
        }
    }

    /// <summary>Mines <paramref name="blocks"/> blocks; the mempool is confirmed in the first of them.</summary>
    public void Mine(int blocks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        lock (_lock)
        {
            _journal?.Append(SandboxChainEntry.Mined(blocks));
            MineUnjournaled(blocks);
        }
    }

    private void MineUnjournaled(int blocks)
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

    /// <summary>
    /// Evicts an unconfirmed transaction and every unconfirmed transaction spending its outputs, as a node's mempool
    /// does when a transaction expires or is replaced elsewhere: its inputs are unspent again and its outputs are gone.
    /// For testing what the escrow does when a payment it saw vanishes. A confirmed transaction cannot be dropped.
    /// Returns the dropped txids (the transaction first), or why not.
    /// </summary>
    public Checked<IReadOnlyList<uint256>> Drop(uint256 txid)
    {
        lock (_lock)
        {
            if (DropRefusal(txid) is { } problem)
                return Checked<IReadOnlyList<uint256>>.Refused("txid", problem);
            _journal?.Append(SandboxChainEntry.Dropped(_transactions[txid].Tx));
            return Checked<IReadOnlyList<uint256>>.Ok(DropUnjournaled(txid));
        }
    }

    /// <summary>Why <see cref="Drop"/> would refuse this txid (unknown or confirmed), or null when it would drop it; changes nothing.</summary>
    public string? WhyNotDroppable(uint256 txid)
    {
        lock (_lock)
            return DropRefusal(txid);
    }

    private string? DropRefusal(uint256 txid) =>
        !_transactions.TryGetValue(txid, out var entry) ? $"Transaction {txid} is not on this chain."
        : entry.Height is not null ? $"Transaction {txid} is confirmed (in block {entry.Height}); only a mempool transaction can be dropped."
        : null;

    private List<uint256> DropUnjournaled(uint256 txid)
    {
        var dropped = new List<uint256>();
        var pending = new Queue<uint256>([txid]);
        while (pending.TryDequeue(out var next))
        {
            if (!_transactions.TryGetValue(next, out var entry) || entry.Height is not null || dropped.Contains(next))
                continue;
            dropped.Add(next);
            var outputs = Enumerable.Range(0, entry.Tx.Outputs.Count).Select(i => new OutPoint(next, i)).ToHashSet();
            foreach (var child in _mempool.Where(m => _transactions[m].Tx.Inputs.Any(i => outputs.Contains(i.PrevOut))))
                pending.Enqueue(child);
        }
        var removed = dropped.Select(id => _transactions[id].Tx).ToList();
        foreach (var (id, tx) in dropped.Zip(removed))
        {
            _transactions.Remove(id);
            _mempool.Remove(id);
            for (var i = 0; i < tx.Outputs.Count; i++)
            {
                _utxos.Remove(new OutPoint(id, i));
                _spent.Remove(new OutPoint(id, i));
            }
        }
        // The inputs they spent are unspent again, unless they were outputs of another dropped transaction (gone with
        // it) or a faucet's made-up outpoint (never on the chain).
        foreach (var input in removed.SelectMany(tx => tx.Inputs))
        {
            if (!_transactions.TryGetValue(input.PrevOut.Hash, out var parent) || input.PrevOut.N >= parent.Tx.Outputs.Count)
                continue;
            _spent.Remove(input.PrevOut);
            _utxos[input.PrevOut] = new SandboxUtxo(input.PrevOut, parent.Tx.Outputs[(int)input.PrevOut.N], parent.Height);
        }
        return dropped;
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

    private void Accept(Transaction tx)
    {
        foreach (var input in tx.Inputs)
        {
            _utxos.Remove(input.PrevOut);
            _spent.Add(input.PrevOut);
        }
        AddToMempool(tx);
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
