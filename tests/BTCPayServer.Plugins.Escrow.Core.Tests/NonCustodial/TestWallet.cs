using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>
/// A party's own wallet in a test: it holds a seed the escrow never sees, exports its BIP-48 multisig account key with
/// origin, and signs only the PSBT copy it is handed, finding its keys by its fingerprint as a hardware wallet would.
/// </summary>
public sealed class TestWallet
{
    private static readonly KeyPath AccountPath = new("48'/1'/0'/2'");
    private readonly ExtKey _master;

    public TestWallet(Network network, int seed)
    {
        Network = network;
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        _master = new ExtKey(Convert.ToHexString(bytes));
    }

    public Network Network { get; }
    public HDFingerprint Fingerprint => _master.GetPublicKey().GetHDFingerPrint();
    public ExtKey Account => _master.Derive(AccountPath);

    /// <summary>What the party pastes: <c>[fingerprint/48h/1h/0h/2h]tpub…</c>.</summary>
    public string ExportedKey => $"[{Fingerprint}/48h/1h/0h/2h]{Account.Neuter().GetWif(Network)}";

    public string ExportedPrivateKey => Account.GetWif(Network).ToString();

    public Key MilestoneKey(uint index) => Account.Derive(0).Derive(index).PrivateKey;

    /// <summary>Signs every input whose BIP-32 derivation names this wallet's fingerprint; returns the signed copy.</summary>
    public string Sign(string psbtBase64, SigHash sigHash = SigHash.All)
    {
        var psbt = PSBT.Parse(psbtBase64, Network);
        foreach (var input in psbt.Inputs)
            foreach (var (pubKey, path) in input.HDKeyPaths)
                if (path.MasterFingerprint == Fingerprint)
                {
                    var key = _master.Derive(path.KeyPath).PrivateKey;
                    Assert.Equal(pubKey, key.PubKey);
                    if (sigHash == SigHash.All)
                        input.Sign(key);
                    else
                        input.PartialSigs[key.PubKey] = SignRaw(psbt, (int)input.Index, key, sigHash);
                }
        return psbt.ToBase64();
    }

    /// <summary>A BIP-143 signature made by hand, for the sighash types NBitcoin's PSBT signer will not use.</summary>
    public static TransactionSignature SignRaw(PSBT psbt, int input, Key key, SigHash sigHash)
    {
        var hash = psbt.GetGlobalTransaction().GetSignatureHash(psbt.Inputs[input].WitnessScript!, input, sigHash,
            psbt.Inputs[input].WitnessUtxo!, HashVersion.WitnessV0);
        return new TransactionSignature(key.Sign(hash), sigHash);
    }
}
