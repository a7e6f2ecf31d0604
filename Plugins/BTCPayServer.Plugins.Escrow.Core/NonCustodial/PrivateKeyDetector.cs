using System.Text.RegularExpressions;
using NBitcoin.DataEncoders;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// Finds private key material anywhere in pasted text (an extended private key, even cut short, or a WIF key), so the
/// escrow can refuse it before anything else reads or keeps the text.
/// </summary>
public static partial class PrivateKeyDetector
{
    public const string Refusal =
        "This is a private key. A private key can spend your money: never paste it into any website. It was refused and not kept. " +
        "Paste your extended PUBLIC key with its origin instead, e.g. [fingerprint/48h/0h/0h/2h]xpub…, from your wallet's export.";

    [GeneratedRegex("[1-9A-HJ-NP-Za-km-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex Base58Run();

    public static bool ContainsPrivateKey(string text)
    {
        foreach (Match run in Base58Run().Matches(text))
        {
            var token = run.Value;
            // A prefix alone is enough: a truncated xprv is still most of a private key. Only at the start of a run,
            // because "xprv" inside a valid xpub's base58 text is chance, not a key.
            if (ExtendedKeyVersions.PrivatePrefixes.Any(p => token.StartsWith(p, StringComparison.Ordinal)))
                return true;
            // An extended key is 111 or 112 base58 characters; a much longer run cannot be one, and decoding it would
            // take time quadratic in its length (a pasted 100 000-character run would hold the request for seconds).
            if (token.Length is >= 100 and <= 120 && ExtendedKeyVersions.Decode(token) is { } payload && ExtendedKeyVersions.VersionOf(payload) is { IsPrivate: true })
                return true;
            if (token.Length is 51 or 52 && IsWif(token))
                return true;
        }
        return false;
    }

    private static bool IsWif(string token)
    {
        try
        {
            var data = Encoders.Base58Check.DecodeData(token);
            return data.Length is 33 or 34 && data[0] is 0x80 or 0xEF;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
