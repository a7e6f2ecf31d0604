using System.Globalization;
using System.Text.RegularExpressions;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// Reads what a party pastes as their key: <c>[fingerprint/path]xpub</c> (optionally ending in <c>/0/*</c> or
/// <c>/&lt;0;1&gt;/*</c>), or a single-key descriptor exported by a wallet (<c>wpkh(...)</c>, <c>sh(wpkh(...))</c>,
/// <c>pkh(...)</c>, <c>tr(...)</c>, <c>wsh(pk(...))</c>, or a multisig descriptor holding only one key).
/// The origin is required: without the master fingerprint and path in the PSBT, hardware wallets and Sparrow refuse to
/// sign, and that would only be found out after the money is locked.
/// </summary>
public static partial class PartyKeyParser
{
    private const int MaxLength = 4_000;

    [GeneratedRegex(@"^\[(?<fp>[0-9a-fA-F]{8})(?<path>(/[0-9]{1,10}['hH]?)*)\](?<key>[1-9A-HJ-NP-Za-km-z]+)(?<suffix>/.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyWithOrigin();

    [GeneratedRegex(@"^(?<fn>[a-z_]+)\((?<inner>.*)\)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Function();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    private static readonly string[] Wrappers = ["wpkh", "pkh", "sh", "wsh", "tr", "pk"];

    public static Checked<PartyKey> Parse(string? text, EscrowRole role, Network network)
    {
        var field = role.KeyField();
        if (string.IsNullOrWhiteSpace(text))
            return Refuse(field, $"Paste the {role.Noun()}'s extended public key with its origin, e.g. [fingerprint/48h/0h/0h/2h]xpub…, or a descriptor exported from their wallet.");
        // First, before any other reading: a private key is refused whatever else the text holds.
        if (PrivateKeyDetector.ContainsPrivateKey(text))
            return Refuse(field, PrivateKeyDetector.Refusal);
        if (text.Length > MaxLength)
            return Refuse(field, "This is far longer than an extended public key or a wallet descriptor. Paste only the key or the descriptor.");

        var compact = Whitespace().Replace(text, "");
        return compact.Contains('(') ? FromDescriptor(compact, role, network) : FromKeyExpression(compact, role, network, field);
    }

    private static Checked<PartyKey> FromDescriptor(string text, EscrowRole role, Network network)
    {
        var field = role.KeyField();
        if (!DescriptorChecksum.TryStrip(text, out var descriptor, out var checksumProblem))
            return Refuse(field, checksumProblem!);

        var body = descriptor;
        while (Function().Match(body) is { Success: true } m && Wrappers.Contains(m.Groups["fn"].Value))
            body = m.Groups["inner"].Value;

        if (Function().Match(body) is { Success: true } multi)
        {
            if (multi.Groups["fn"].Value is not ("multi" or "sortedmulti"))
                return Refuse(field, $"This descriptor uses '{multi.Groups["fn"].Value}(…)', which holds no single key to take. Export a single-key descriptor or the xpub with its origin.");
            var parts = multi.Groups["inner"].Value.Split(',');
            var keys = parts.Skip(1).ToArray();
            if (keys.Length != 1)
                return Refuse(field, $"This multisig descriptor holds {keys.Length} keys, so it does not say which one is the {role.Noun()}'s. Paste only the {role.Noun()}'s own key, [fingerprint/path]xpub….");
            body = keys[0];
        }
        else if (body.Contains('(') || body.Contains(','))
            return Refuse(field, "This descriptor has a form the escrow does not read. Export a single-key descriptor (wpkh, pkh, sh(wpkh), tr) or the xpub with its origin.");

        if (body.Length == 0)
            return Refuse(field, "The descriptor holds no key.");
        return FromKeyExpression(body, role, network, field);
    }

    private static Checked<PartyKey> FromKeyExpression(string text, EscrowRole role, Network network, string field)
    {
        var match = KeyWithOrigin().Match(text);
        if (!match.Success)
        {
            if (ExtendedKeyVersions.PublicPrefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal)))
                return Refuse(field, "The key's origin is missing. Paste it as your wallet exports it for multisig, with the master fingerprint and path in front: [fingerprint/48h/0h/0h/2h]xpub…. Hardware wallets cannot sign without it.");
            if (text.StartsWith('[') && !text.Contains(']'))
                return Refuse(field, "The origin in square brackets is not closed with ']'.");
            if (text.StartsWith('['))
                return Refuse(field, "The origin must be the 8-hex-digit master fingerprint followed by the path, e.g. [d34db33f/48h/0h/0h/2h].");
            return Refuse(field, "This is not an extended public key. Paste it as [fingerprint/path]xpub… or as a descriptor exported from your wallet.");
        }

        var suffix = match.Groups["suffix"].Value;
        if (suffix is not ("" or "/0/*" or "/<0;1>/*"))
            return Refuse(field, $"The key ends in '{suffix}'. The escrow uses the account key's receive branch itself; paste the key without it, or ending in /0/* or /<0;1>/*.");

        var payload = ExtendedKeyVersions.Decode(match.Groups["key"].Value);
        if (payload is null)
            return Refuse(field, "The extended public key is damaged: its checksum does not match or it is cut short. Copy it again from your wallet.");
        var version = ExtendedKeyVersions.VersionOf(payload);
        if (version is null)
            return Refuse(field, "This is not an extended public key of a Bitcoin wallet (its version bytes are unknown).");
        if (version.IsPrivate)
            return Refuse(field, PrivateKeyDetector.Refusal);
        var mainnet = ExtendedKeyVersions.IsMainnet(network);
        if (version.Mainnet != mainnet)
            return Refuse(field, version.Mainnet
                ? $"This is a mainnet key ({version.Prefix}) but this escrow runs on {network.ChainName}. Export the key of your {network.ChainName} wallet (tpub…)."
                : $"This is a test-network key ({version.Prefix}) but this escrow runs on mainnet. Export the key of your mainnet wallet (xpub…).");

        ExtPubKey extKey;
        try
        {
            extKey = new ExtPubKey(payload.AsSpan(4).ToArray());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Refuse(field, "The extended public key does not hold a valid public key. Copy it again from your wallet.");
        }

        var fingerprint = new HDFingerprint(Convert.FromHexString(match.Groups["fp"].Value));
        KeyPath path;
        try
        {
            path = match.Groups["path"].Value.Length == 0 ? KeyPath.Empty : ParsePath(match.Groups["path"].Value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return Refuse(field, "A step of the origin path is out of range.");
        }

        if (extKey.Depth != path.Indexes.Length)
            return Refuse(field, $"The origin path has {path.Indexes.Length} steps but the key is {extKey.Depth} levels below its master key. The origin does not belong to this key; export both together from your wallet.");
        if (path.Indexes.Length > 0 && path.Indexes[^1] != extKey.Child)
            return Refuse(field, "The last step of the origin path is not the step this key was derived with. The origin does not belong to this key.");
        if (path.Indexes.Length == 0 && extKey.PubKey.GetHDFingerPrint() != fingerprint)
            return Refuse(field, "This is a master key, so its origin fingerprint must be its own; it is not.");

        var normalised = new BitcoinExtPubKey(extKey, network);
        return Checked<PartyKey>.Ok(new PartyKey(role, fingerprint, path, normalised));
    }

    private static KeyPath ParsePath(string path)
    {
        var indexes = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(step =>
        {
            var hardened = step[^1] is '\'' or 'h' or 'H';
            var number = uint.Parse(hardened ? step[..^1] : step, NumberStyles.None, CultureInfo.InvariantCulture);
            if (number >= 0x80000000u)
                throw new OverflowException();
            return hardened ? number | 0x80000000u : number;
        }).ToArray();
        return new KeyPath(indexes);
    }

    private static Checked<PartyKey> Refuse(string field, string message) => Checked<PartyKey>.Refused(field, message);
}
