using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;
using NBitcoin.DataEncoders;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class PartyKeyTests
{
    private static readonly Network Net = Network.RegTest;
    private readonly TestWallet _wallet = new(Net, 42);

    private string Tpub => _wallet.Account.Neuter().GetWif(Net).ToString();

    private PartyKey Parse(string text) => PartyKeyParser.Parse(text, EscrowRole.Freelancer, Net).Unwrap();

    private string Refusal(string? text, Network? network = null)
    {
        var result = PartyKeyParser.Parse(text, EscrowRole.Freelancer, network ?? Net);
        Assert.False(result.IsValid);
        Assert.Equal("freelancerKey", result.Field);
        return result.Problem!;
    }

    [Fact]
    public void A_key_with_its_origin_keeps_fingerprint_path_and_key()
    {
        var key = Parse(_wallet.ExportedKey);

        Assert.Equal(_wallet.Fingerprint, key.Fingerprint);
        Assert.Equal(new KeyPath("48'/1'/0'/2'"), key.AccountPath);
        Assert.Equal(_wallet.Account.Neuter(), key.AccountKey.ExtPubKey);
        Assert.Equal(_wallet.ExportedKey, key.Text);
        Assert.Equal(_wallet.MilestoneKey(3).PubKey, key.MilestonePubKey(3));
        Assert.Equal(new KeyPath("48'/1'/0'/2'/0/3"), key.MilestoneKeyPath(3).KeyPath);
    }

    [Theory]
    [InlineData("[{0}/48'/1'/0'/2']{1}")]
    [InlineData("[{0}/48H/1H/0H/2H]{1}/0/*")]
    [InlineData("[{0}/48h/1h/0h/2h]{1}/<0;1>/*")]
    [InlineData("  [{0}/48h/1h/0h/2h]\n{1}  ")]
    [InlineData("wsh(sortedmulti(1,[{0}/48h/1h/0h/2h]{1}/0/*))")]
    [InlineData("wsh(pk([{0}/48h/1h/0h/2h]{1}))")]
    public void Wallet_export_forms_give_the_same_key(string form)
    {
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, form, _wallet.Fingerprint, Tpub);

        Assert.Equal(_wallet.ExportedKey, Parse(text).Text);
    }

    [Theory]
    [InlineData("wpkh([{0}/84h/1h/0h]{1}/0/*)")]
    [InlineData("sh(wpkh([{0}/49h/1h/0h]{1}/0/*))")]
    [InlineData("pkh([{0}/44h/1h/0h]{1}/<0;1>/*)")]
    [InlineData("tr([{0}/86h/1h/0h]{1}/0/*)")]
    public void A_single_key_descriptor_with_checksum_gives_its_key(string form)
    {
        var path = form[(form.IndexOf('/') + 1)..form.IndexOf(']')].Replace("h", "'", StringComparison.Ordinal);
        // These single-sig paths have 3 steps; the account is derived to match, as the wallet that exports it would.
        var master = new ExtKey(Convert.ToHexString(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()));
        var account = master.Derive(new KeyPath(path)).Neuter();
        var body = string.Format(System.Globalization.CultureInfo.InvariantCulture, form, master.GetPublicKey().GetHDFingerPrint(), account.GetWif(Net));

        var key = Parse(DescriptorChecksum.Append(body));

        Assert.Equal(account, key.AccountKey.ExtPubKey);
        Assert.Equal(master.GetPublicKey().GetHDFingerPrint(), key.Fingerprint);
    }

    [Fact]
    public void A_slip132_vpub_is_read_as_the_same_tpub()
    {
        var payload = Encoders.Base58Check.DecodeData(Tpub);
        new byte[] { 0x02, 0x57, 0x54, 0x83 }.CopyTo(payload, 0);
        var vpub = Encoders.Base58Check.EncodeData(payload);
        Assert.StartsWith("Vpub", vpub);

        Assert.Equal(_wallet.ExportedKey, Parse($"[{_wallet.Fingerprint}/48h/1h/0h/2h]{vpub}").Text);
    }

    [Fact]
    public void A_key_without_origin_is_refused_because_hardware_wallets_could_not_sign() =>
        Assert.Contains("origin is missing", Refusal(Tpub));

    [Fact]
    public void A_mainnet_key_is_refused_on_regtest()
    {
        var xpub = _wallet.Account.Neuter().GetWif(Network.Main).ToString();

        Assert.Contains("mainnet key (xpub)", Refusal($"[{_wallet.Fingerprint}/48h/1h/0h/2h]{xpub}"));
    }

    [Fact]
    public void A_testnet_key_is_refused_on_mainnet() =>
        Assert.Contains("test-network key (tpub)", Refusal(_wallet.ExportedKey, Network.Main));

    [Fact]
    public void An_extended_private_key_is_refused_and_not_repeated_in_the_message()
    {
        var problem = Refusal($"[{_wallet.Fingerprint}/48h/1h/0h/2h]{_wallet.ExportedPrivateKey}");

        Assert.Contains("private key", problem);
        Assert.DoesNotContain(_wallet.ExportedPrivateKey[..12], problem);
    }

    [Fact]
    public void A_wif_private_key_inside_a_descriptor_is_refused()
    {
        var wif = new Key().GetWif(Net).ToString();

        Assert.Contains("private key", Refusal(DescriptorChecksum.Append($"wpkh({wif})")));
    }

    [Fact]
    public void A_descriptor_with_a_wrong_checksum_is_refused()
    {
        var descriptor = DescriptorChecksum.Append($"wpkh({_wallet.ExportedKey}/0/*)");
        var wrong = descriptor[..^1] + (descriptor[^1] == 'q' ? 'p' : 'q');

        Assert.Contains("checksum does not match", Refusal(wrong));
    }

    [Fact]
    public void A_multisig_descriptor_with_several_keys_is_refused_as_ambiguous()
    {
        var f = new EscrowFixture();

        Assert.Contains("holds 3 keys", Refusal(f.Escrow.WalletDescriptor));
    }

    [Fact]
    public void An_origin_that_does_not_belong_to_the_key_is_refused() =>
        Assert.Contains("origin path has 3 steps", Refusal($"[{_wallet.Fingerprint}/48h/1h/0h]{Tpub}"));

    [Fact]
    public void A_key_ending_in_another_branch_is_refused() =>
        Assert.Contains("ends in '/1/*'", Refusal(_wallet.ExportedKey + "/1/*"));

    [Fact]
    public void The_same_key_for_two_parties_is_refused_on_the_second()
    {
        var other = new TestWallet(Net, 7);

        var keys = EscrowKeySet.Parse(_wallet.ExportedKey, _wallet.ExportedKey, other.ExportedKey, Net);

        Assert.Equal("freelancerKey", keys.Field);
        Assert.Contains("same key as the client's", keys.Problem);
    }

    [Fact]
    public void Two_accounts_of_one_wallet_are_refused_because_one_seed_would_hold_two_keys()
    {
        var other = new TestWallet(Net, 7);
        var sameSeed = new ExtKey(Convert.ToHexString(RandomBytes(42))); // the seed TestWallet(Net, 42) holds
        Assert.Equal(_wallet.Fingerprint, sameSeed.GetPublicKey().GetHDFingerPrint());
        var secondAccount = sameSeed.Derive(new KeyPath("48'/1'/1'/2'")).Neuter().GetWif(Net);

        var keys = EscrowKeySet.Parse(other.ExportedKey, _wallet.ExportedKey, $"[{_wallet.Fingerprint}/48h/1h/1h/2h]{secondAccount}", Net);

        Assert.Equal("agencyKey", keys.Field);
        Assert.Contains("same wallet", keys.Problem);
    }

    private static byte[] RandomBytes(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
