using BTCPayServer.Plugins.Escrow.Core;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// A transaction the sandbox chain took, as the wallet page lists it; <see cref="Dropped"/> when it left the mempool
/// since (dropped itself, or a child of a dropped transaction), and then <see cref="Confirmations"/> is 0.
/// </summary>
public sealed record SandboxWalletTransaction(string TxId, bool FromFaucet, Money Paid, IReadOnlyList<string> PaidTo, int Confirmations, bool Dropped, DateTime RecordedAt)
{
    public bool CanBeDropped => !Dropped && Confirmations == 0;
}

/// <summary>
/// The sandbox wallet: a faucet that pays any address of the sandbox network, the button that mines blocks, a broadcast
/// of a transaction signed elsewhere, and dropping an unconfirmed one from the mempool. Every change goes through the
/// chain (and so into its journal); a refused request changes nothing.
/// </summary>
public sealed class SandboxWallet(SandboxChainStore store, SandboxNetwork network)
{
    public const int MaxBlocks = 1_000;
    public const string BlocksField = "blocks";
    public const string TxIdField = "txid";

    public int Height => store.Chain.Height;

    public SandboxNetwork SandboxNetwork => network;

    public string NetworkName => network.Name;

    public Network Network => network.Network;

    public uint256 Pay(SandboxPaymentRequest request) => store.Chain.Fund(request.Address, request.Amount).GetHash();

    /// <summary>Submits a pasted signed transaction or finalized PSBT to the chain; returns its txid, or throws the reason it was refused.</summary>
    public uint256 Broadcast(string? transaction)
    {
        var tx = SandboxBroadcastInput.Parse(transaction, Network);
        var submitted = store.Chain.Submit(tx);
        if (!submitted.IsValid)
            throw new InvalidInputException(SandboxBroadcastInput.Field, $"The sandbox chain refused this transaction: {submitted.Problem}");
        return tx.GetHash();
    }

    /// <summary>The unconfirmed transaction that <see cref="Drop"/> would drop, or the reason it would refuse; changes nothing.</summary>
    public uint256 Droppable(string? txid)
    {
        var id = ParseTxId(txid);
        if (store.Chain.WhyNotDroppable(id) is { } problem)
            throw new InvalidInputException(TxIdField, problem);
        return id;
    }

    /// <summary>Drops an unconfirmed transaction and its unconfirmed children from the mempool; returns the dropped txids, the transaction first.</summary>
    public IReadOnlyList<uint256> Drop(string? txid)
    {
        var dropped = store.Chain.Drop(ParseTxId(txid));
        return dropped.Value ?? throw new InvalidInputException(TxIdField, dropped.Problem!);
    }

    private static uint256 ParseTxId(string? txid)
    {
        var text = txid?.Trim() ?? "";
        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
            throw new InvalidInputException(TxIdField, "A transaction id is 64 hexadecimal characters: copy it from the list of transactions.");
        return uint256.Parse(text.ToLowerInvariant());
    }

    /// <summary>Mines the number of blocks typed (1 to <see cref="MaxBlocks"/>); returns the new height.</summary>
    public int Mine(string? blocks)
    {
        var text = blocks?.Trim() ?? "";
        if (text.Length is 0 or > 4 || !text.All(char.IsAsciiDigit) || int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > MaxBlocks)
            throw new InvalidInputException(BlocksField, $"Mine a whole number of blocks from 1 to {MaxBlocks}.");
        store.Chain.Mine(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        return store.Chain.Height;
    }

    /// <summary>
    /// The latest transactions, newest first. A transaction no longer on the chain was dropped; so was an earlier
    /// acceptance of a transaction that was dropped and then broadcast again (only its latest row is the live one).
    /// </summary>
    public async Task<IReadOnlyList<SandboxWalletTransaction>> RecentAsync(int count, CancellationToken ct)
    {
        var chain = store.Chain;
        var records = await store.RecentTransactionsAsync(count, ct);
        var listed = new HashSet<string>();
        return records.Select(r =>
        {
            var tx = Transaction.Parse(r.TransactionHex!, store.Network);
            var paidTo = tx.Outputs.Select(o => o.ScriptPubKey.GetDestinationAddress(store.Network)?.ToString() ?? o.ScriptPubKey.ToString()).ToList();
            var confirmations = listed.Add(r.TxId!) ? chain.Confirmations(tx.GetHash()) : null;
            return new SandboxWalletTransaction(r.TxId!, r.Change == Core.NonCustodial.SandboxChainChange.Funded,
                tx.TotalOut, paidTo, confirmations ?? 0, confirmations is null, r.RecordedAt);
        }).ToList();
    }
}
