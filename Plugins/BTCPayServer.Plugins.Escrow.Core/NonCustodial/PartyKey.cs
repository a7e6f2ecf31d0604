using System.Globalization;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// A party's validated account-level extended public key with its origin (master fingerprint and path). The origin is
/// kept because hardware wallets and Sparrow only sign a PSBT input whose BIP-32 derivation names their own fingerprint.
/// Milestone keys are the non-hardened children <c>/0/index</c> of the account key (the wallets' receive branch).
/// </summary>
public sealed record PartyKey(EscrowRole Role, HDFingerprint Fingerprint, KeyPath AccountPath, BitcoinExtPubKey AccountKey)
{
    /// <summary>The branch under the account key that milestone keys come from.</summary>
    public const uint Branch = 0;

    /// <summary><c>[fingerprint/path]xpub</c>, the form stored and shown; <see cref="PartyKeyParser"/> reads it back.</summary>
    public string Text => Origin + AccountKey;

    /// <summary><c>[d34db33f/48h/1h/0h/2h]</c>, with 'h' for hardened steps as recent Bitcoin Core writes it.</summary>
    public string Origin => "[" + Fingerprint + FormatPath(AccountPath) + "]";

    public PubKey MilestonePubKey(uint index) => AccountKey.ExtPubKey.Derive(Branch).Derive(index).PubKey;

    /// <summary>The full path from the party's master key, as the PSBT's BIP-32 derivation must carry it.</summary>
    public RootedKeyPath MilestoneKeyPath(uint index) => new(Fingerprint, AccountPath.Derive(Branch).Derive(index));

    internal static string FormatPath(KeyPath path) =>
        string.Concat(path.Indexes.Select(i => i >= 0x80000000u
            ? "/" + (i - 0x80000000u).ToString(CultureInfo.InvariantCulture) + "h"
            : "/" + i.ToString(CultureInfo.InvariantCulture)));

    public override string ToString() => $"{Role.Noun()} {Text}";
}
