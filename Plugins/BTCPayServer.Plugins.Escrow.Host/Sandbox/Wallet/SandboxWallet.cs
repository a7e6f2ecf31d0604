using BTCPayServer.Plugins.Escrow.Core;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>A transaction the sandbox chain took, as the wallet page lists it.</summary>
public sealed record SandboxWalletTransaction(string TxId, bool FromFaucet, Money Paid, IReadOnlyList<string> PaidTo, int Confirmations, DateTime RecordedAt);

/// <summary>
/// The sandbox wallet: a faucet that pays any address of the sandbox network, and the button that mines blocks.
/// Every change goes through the chain (and so into its journal); a refused request changes nothing.
/// </summary>
public sealed class SandboxWallet(SandboxChainStore store, SandboxNetwork network)
{
    public const int MaxBlocks = 1_000;
    public const string BlocksField = "blocks";

    public int Height => store.Chain.Height;

    public SandboxNetwork SandboxNetwork => network;

    public string NetworkName => network.Name;

    public Network Network => network.Network;

    public uint256 Pay(SandboxPaymentRequest request) => store.Chain.Fund(request.Address, request.Amount).GetHash();

    /// <summary>Mines the number of blocks typed (1 to <see cref="MaxBlocks"/>); returns the new height.</summary>
    public int Mine(string? blocks)
    {
        var text = blocks?.Trim() ?? "";
        if (text.Length is 0 or > 4 || !text.All(char.IsAsciiDigit) || int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > MaxBlocks)
            throw new InvalidInputException(BlocksField, $"Mine a whole number of blocks from 1 to {MaxBlocks}.");
        store.Chain.Mine(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        return store.Chain.Height;
    }

    public async Task<IReadOnlyList<SandboxWalletTransaction>> RecentAsync(int count, CancellationToken ct)
    {
        var chain = store.Chain;
        var records = await store.RecentTransactionsAsync(count, ct);
        return records.Select(r =>
        {
            var tx = Transaction.Parse(r.TransactionHex!, store.Network);
            var paidTo = tx.Outputs.Select(o => o.ScriptPubKey.GetDestinationAddress(store.Network)?.ToString() ?? o.ScriptPubKey.ToString()).ToList();
            return new SandboxWalletTransaction(r.TxId!, r.Change == Core.NonCustodial.SandboxChainChange.Funded,
                tx.TotalOut, paidTo, chain.Confirmations(tx.GetHash()) ?? 0, r.RecordedAt);
        }).ToList();
    }
}
