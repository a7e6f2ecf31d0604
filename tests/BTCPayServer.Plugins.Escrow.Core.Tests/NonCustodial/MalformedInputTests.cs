using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using CsCheck;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>
/// Generated bad input — damaged keys and descriptors, private keys, wrong networks, duplicates, garbage and tampered
/// PSBTs — is refused with a message naming the field, and nothing comes back as valid.
/// </summary>
public class MalformedInputTests
{
    private const int Iterations = 400;
    private static readonly Network Net = Network.RegTest;
    private static readonly EscrowFixture Shared = new(seed: 21);
    private static readonly SigningRound Release = ReleaseRound();

    private static SigningRound ReleaseRound()
    {
        var coin = Shared.Fund(500_000);
        return EscrowSpends.Propose(Shared.Escrow, [coin], SpendDecision.Release(Money.Satoshis(10_000)), Shared.Payees, 3m).Unwrap();
    }

    private const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Printable = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    private sealed record BadKey(string Kind, string Text, string Field = "freelancerKey")
    {
        /// <summary>What the message must say for this kind of damage (none for free-form garbage).</summary>
        public string? Expected => Kind switch
        {
            "truncated key" or "one character changed" => "damaged",
            "mainnet key on regtest" => "mainnet key",
            "extended private key" or "wif" => "private key",
            "wrong checksum" => "checksum does not match",
            "no origin" => "origin is missing",
            "origin of another depth" => "origin path has 3 steps",
            "multisig descriptor of three keys" => "holds 3 keys",
            "duplicate key" => "same key",
            "other branch" => "The key ends in",
            "unclosed origin" => "not closed",
            _ => null,
        };
    }

    private static string KeyOf(TestWallet w) => w.Account.Neuter().GetWif(Net).ToString();

    private static Gen<BadKey> GenBadKey =>
        from seed in Gen.Int[1, 1_000_000]
        from kind in Gen.Int[0, 13]
        from position in Gen.Int[1, 10_000]
        from other in Gen.Char[Base58]
        from garbage in Gen.String[Gen.Char[Printable], 0, 200]
        select Make(kind, new TestWallet(Net, seed), position, other, garbage);

    private static BadKey Make(int kind, TestWallet w, int position, char other, string garbage)
    {
        var origin = $"[{w.Fingerprint}/48h/1h/0h/2h]";
        var tpub = KeyOf(w);
        switch (kind)
        {
            case 0:
                return new("truncated key", origin + tpub[..(position % (tpub.Length - 1) + 1)]);
            case 1:
            {
                var at = position % tpub.Length;
                var replacement = tpub[at] == other ? (other == 'z' ? 'y' : 'z') : other;
                return new("one character changed", origin + tpub[..at] + replacement + tpub[(at + 1)..]);
            }
            case 2:
                return new("mainnet key on regtest", origin + w.Account.Neuter().GetWif(Network.Main));
            case 3:
                return new("extended private key", origin + w.ExportedPrivateKey[..(position % 60 + 51)]);
            case 4:
                return new("wif", position % 2 == 0 ? new Key().GetWif(Net).ToString() : $"wpkh({new Key().GetWif(Network.Main)})");
            case 5:
            {
                var descriptor = DescriptorChecksum.Append($"wpkh({origin}{tpub}/0/*)");
                var at = descriptor.Length - 1 - position % 8;
                var swapped = descriptor[at] == 'q' ? 'p' : 'q';
                return new("wrong checksum", descriptor[..at] + swapped + descriptor[(at + 1)..]);
            }
            case 6:
            {
                var descriptor = DescriptorChecksum.Append($"wpkh({origin}{tpub}/0/*)");
                return new("truncated descriptor", descriptor[..(position % (descriptor.Length - 12) + 1)]);
            }
            case 7:
                return new("no origin", tpub);
            case 8:
                return new("origin of another depth", $"[{w.Fingerprint}/48h/1h/0h]" + tpub);
            case 9:
                return new("multisig descriptor of three keys", Shared.Escrow.WalletDescriptor);
            case 10:
                return new("garbage", garbage);
            case 11:
                return new("duplicate key", origin + tpub, "freelancerKey");
            case 12:
                return new("other branch", origin + tpub + (position % 2 == 0 ? "/1/*" : "/0/0"));
            default:
                return new("unclosed origin", $"[{w.Fingerprint}/48h/1h/0h/2h" + tpub);
        }
    }

    [Fact]
    public void Malformed_keys_and_descriptors_are_refused_with_a_message_naming_the_field()
    {
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        GenBadKey.Sample(bad =>
        {
            kinds.AddOrUpdate(bad.Kind, 1, (_, n) => n + 1);
            var result = bad.Kind == "duplicate key"
                ? EscrowKeySet.Parse(bad.Text, bad.Text, Shared.Agency.ExportedKey, Net)
                : EscrowKeySet.Parse(Shared.Client.ExportedKey, bad.Text, Shared.Agency.ExportedKey, Net);

            Assert.False(result.IsValid, $"{bad.Kind}: {bad.Text}");
            Assert.Null(result.Value);
            Assert.Equal(bad.Field, result.Field);
            Assert.True(result.Problem!.Length >= 20 && result.Problem.EndsWith('.'), $"{bad.Kind}: unclear message '{result.Problem}'");
            // The pasted text is never echoed back (a private key in it must not travel further).
            if (bad.Text.Length > 20)
                Assert.DoesNotContain(bad.Text, result.Problem);
            if (bad.Expected is { } expected)
                Assert.Contains(expected, result.Problem);
        }, iter: Iterations);

        Assert.Equal(14, kinds.Count);
        Assert.True(kinds.Values.Sum() >= 200);
    }

    private sealed record BadPsbt(string Kind, string? Text, byte[]? Bytes = null);

    private static Gen<BadPsbt> GenBadPsbt =>
        from kind in Gen.Int[0, 8]
        from position in Gen.Int[0, 100_000]
        from bytes in Gen.Byte.Array[0, 300]
        from garbage in Gen.String[Gen.Char[Printable], 0, 300]
        select MakePsbt(kind, position, bytes, garbage);

    private static BadPsbt MakePsbt(int kind, int position, byte[] bytes, string garbage)
    {
        var issued = PSBT.Parse(Release.IssuedPsbt, Net).ToBytes();
        var clientSigned = PSBT.Parse(Shared.Client.Sign(Release.IssuedPsbt), Net);
        var signedBytes = clientSigned.ToBytes();
        switch (kind)
        {
            case 0:
                return new("garbage base64", Convert.ToBase64String(bytes));
            case 1:
                return new("garbage text", garbage);
            case 2:
                return new("truncated signed psbt", Convert.ToBase64String(signedBytes[..(position % (signedBytes.Length - 1))]));
            case 3:
            {
                // A byte flipped anywhere in the unsigned PSBT: it no longer parses, is another transaction, or carries no signature.
                var copy = (byte[])issued.Clone();
                copy[position % copy.Length] ^= (byte)(1 + position % 255);
                return new("flipped byte, unsigned", null, copy);
            }
            case 4:
            {
                // A byte flipped inside the client's signature: it no longer parses or no longer verifies.
                var sig = clientSigned.Inputs[0].PartialSigs.Values.Single().ToBytes();
                var at = IndexOf(signedBytes, sig) + 4 + position % (sig.Length - 5); // past the DER header, before the sighash byte
                var copy = (byte[])signedBytes.Clone();
                copy[at] ^= (byte)(1 + position % 255);
                return new("flipped byte in signature", null, copy);
            }
            case 5:
                return new("random bytes file", null, bytes);
            case 6:
                return new("signed by the agency", Shared.Agency.Sign(Release.IssuedPsbt));
            case 7:
            {
                var tx = clientSigned.GetGlobalTransaction();
                tx.Outputs[position % tx.Outputs.Count].Value += Money.Satoshis(1 + position % 5_000);
                var other = PSBT.FromTransaction(tx, Net);
                return new("amount changed", other.ToBase64());
            }
            default:
                return new("hex garbage", Convert.ToHexString(bytes));
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                return i;
        throw new InvalidOperationException("signature not found");
    }

    [Fact]
    public void Malformed_or_tampered_psbts_are_refused_and_the_round_keeps_no_signature()
    {
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        GenBadPsbt.Sample(bad =>
        {
            kinds.AddOrUpdate(bad.Kind, 1, (_, n) => n + 1);
            var result = bad.Bytes is null ? Release.Accept(bad.Text) : Release.Accept(bad.Bytes);

            Assert.False(result.IsValid, $"{bad.Kind} was accepted");
            Assert.Null(result.Value);
            Assert.Equal("psbt", result.Field);
            Assert.True(result.Problem!.Length >= 20, $"{bad.Kind}: unclear message '{result.Problem}'");
        }, iter: Iterations);

        Assert.Empty(Release.SignedBy);
        Assert.Equal(9, kinds.Count);
        Assert.True(kinds.Values.Sum() >= 200);
    }
}
