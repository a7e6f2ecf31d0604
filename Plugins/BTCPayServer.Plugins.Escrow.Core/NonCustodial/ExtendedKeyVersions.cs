using NBitcoin;
using NBitcoin.DataEncoders;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The BIP-32 and SLIP-132 version bytes wallets put in front of extended keys. Electrum and some others export
/// Zpub/Vpub for multisig; the key inside is the same, so it is accepted and re-encoded as xpub/tpub.
/// </summary>
internal static class ExtendedKeyVersions
{
    internal sealed record Version(string Prefix, bool Mainnet, bool IsPrivate);

    private static readonly Dictionary<uint, Version> Known = new()
    {
        [0x0488B21E] = new("xpub", true, false), [0x049D7CB2] = new("ypub", true, false), [0x0295B43F] = new("Ypub", true, false),
        [0x04B24746] = new("zpub", true, false), [0x02AA7ED3] = new("Zpub", true, false),
        [0x043587CF] = new("tpub", false, false), [0x044A5262] = new("upub", false, false), [0x024289EF] = new("Upub", false, false),
        [0x045F1C32] = new("vpub", false, false), [0x02575483] = new("Vpub", false, false),
        [0x0488ADE4] = new("xprv", true, true), [0x049D7878] = new("yprv", true, true), [0x0295B005] = new("Yprv", true, true),
        [0x04B2430C] = new("zprv", true, true), [0x02AA7A99] = new("Zprv", true, true),
        [0x04358394] = new("tprv", false, true), [0x044A4E28] = new("uprv", false, true), [0x024285B5] = new("Uprv", false, true),
        [0x045F18BC] = new("vprv", false, true), [0x02575048] = new("Vprv", false, true),
    };

    internal static readonly string[] PrivatePrefixes = Known.Values.Where(v => v.IsPrivate).Select(v => v.Prefix).ToArray();
    internal static readonly string[] PublicPrefixes = Known.Values.Where(v => !v.IsPrivate).Select(v => v.Prefix).ToArray();

    /// <summary>Base58Check payload of an extended key (78 bytes), or null if the text is not one (bad checksum, wrong length).</summary>
    internal static byte[]? Decode(string text)
    {
        try
        {
            var data = Encoders.Base58Check.DecodeData(text);
            return data.Length == 78 ? data : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static Version? VersionOf(byte[] payload) =>
        Known.GetValueOrDefault((uint)(payload[0] << 24 | payload[1] << 16 | payload[2] << 8 | payload[3]));

    internal static bool IsMainnet(Network network) => network.ChainName == ChainName.Mainnet;
}
