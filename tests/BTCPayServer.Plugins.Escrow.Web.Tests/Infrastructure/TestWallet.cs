using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// A party's own wallet, as the non-custodial tests need it: a master key from a fixed seed, the multisig account
/// (m/48'/1'/0'/2') exported with its origin, a payout address, and signing a PSBT the way a wallet does.
/// </summary>
public sealed class TestWallet(int seed, Network network)
{
    private readonly ExtKey _master = new(Convert.ToHexString(Seed(seed)));

    private static byte[] Seed(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public ExtKey Account => _master.Derive(new KeyPath("48'/1'/0'/2'"));
    public string Exported => $"[{_master.GetPublicKey().GetHDFingerPrint()}/48h/1h/0h/2h]{Account.Neuter().GetWif(network)}";
    public string Payout { get; } = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, network).ToString();

    /// <summary>The private keys a leak would show: the master's and the account's extended private keys.</summary>
    public IReadOnlyList<string> Secrets => [_master.GetWif(network).ToString(), Account.GetWif(network).ToString()];

    public string Sign(string psbtBase64)
    {
        var psbt = PSBT.Parse(psbtBase64, network);
        foreach (var input in psbt.Inputs)
            foreach (var (_, path) in input.HDKeyPaths)
                if (path.MasterFingerprint == _master.GetPublicKey().GetHDFingerPrint())
                    input.Sign(_master.Derive(path.KeyPath).PrivateKey);
        return psbt.ToBase64();
    }
}
