using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>One of the three keys of a milestone's script, with the path its owner's wallet derives it from.</summary>
public sealed record EscrowSigner(EscrowRole Role, PubKey PubKey, RootedKeyPath KeyPath);

/// <summary>
/// A milestone's escrow output: <c>wsh(sortedmulti(2,C,F,A))</c> with each party's key at <c>/0/index</c>. The caller
/// picks the index; it should be unique per agency key across the store (e.g. a store-wide milestone counter), or the
/// agency's key repeats on chain across contracts.
/// </summary>
public sealed class MilestoneEscrow
{
    public const int Threshold = 2;

    public MilestoneEscrow(EscrowKeySet keys, uint index)
    {
        if (index >= 0x80000000u)
            throw new ArgumentOutOfRangeException(nameof(index), "A milestone index is a non-hardened BIP-32 step (below 2^31).");
        Keys = keys;
        Index = index;
        Signers = keys.All.Select(k => new EscrowSigner(k.Role, k.MilestonePubKey(index), k.MilestoneKeyPath(index))).ToArray();
        // sortedmulti: keys in byte order, so every wallet importing the descriptor builds the same script.
        var sorted = Signers.Select(s => s.PubKey).OrderBy(p => p.ToHex(), StringComparer.Ordinal).ToArray();
        WitnessScript = PayToMultiSigTemplate.Instance.GenerateScriptPubKey(Threshold, sorted);
        ScriptPubKey = WitnessScript.WitHash.ScriptPubKey;
        Address = ScriptPubKey.GetDestinationAddress(keys.Network)!;
        Descriptor = DescriptorChecksum.Append(Build(keys, "/0/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        WalletDescriptor = DescriptorChecksum.Append(Build(keys, "/0/*"));
    }

    public EscrowKeySet Keys { get; }
    public uint Index { get; }
    public Network Network => Keys.Network;
    public IReadOnlyList<EscrowSigner> Signers { get; }
    public Script WitnessScript { get; }
    public Script ScriptPubKey { get; }
    public BitcoinAddress Address { get; }

    /// <summary>This milestone's output alone, with checksum: what a party checks the address against.</summary>
    public string Descriptor { get; }

    /// <summary>The ranged descriptor (<c>/0/*</c>) to import as a multisig wallet; this milestone is at <see cref="Index"/>.</summary>
    public string WalletDescriptor { get; }

    public EscrowSigner Signer(EscrowRole role) => Signers.Single(s => s.Role == role);

    public EscrowRole? RoleOf(PubKey key) => Signers.FirstOrDefault(s => s.PubKey == key)?.Role;

    private static string Build(EscrowKeySet keys, string tail) =>
        "wsh(sortedmulti(2," + string.Join(",", keys.All.Select(k => k.Text + tail)) + "))";
}
