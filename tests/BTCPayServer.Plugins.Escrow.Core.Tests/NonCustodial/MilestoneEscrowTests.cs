using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;
using NBitcoin.WalletPolicies;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class MilestoneEscrowTests
{
    [Theory]
    [InlineData("raw(deadbeef)", "89f8spxm")]
    public void The_checksum_matches_the_bip380_vector(string descriptor, string checksum) =>
        Assert.Equal(checksum, DescriptorChecksum.Compute(descriptor));

    [Theory]
    [InlineData("raw(deadbeef)#89f8spxm", null)]
    [InlineData("raw(deadbeef)", null)]
    [InlineData("raw(deadbeef)#", "8 characters")]
    [InlineData("raw(deadbeef)#89f8spxmx", "8 characters")]
    [InlineData("raw(deadbeef)#89f8spx", "8 characters")]
    [InlineData("raw(deadbeef)#89f8spxn", "does not match")]
    [InlineData("raw(deedbeef)#89f8spxm", "does not match")]
    [InlineData("raw(Ü)#00000000", "character")]
    public void The_bip380_checksum_cases_are_accepted_or_refused(string text, string? problem)
    {
        var ok = DescriptorChecksum.TryStrip(text, out _, out var found);

        Assert.Equal(problem is null, ok);
        if (problem is not null) Assert.Contains(problem, found);
    }

    [Fact]
    public void The_checksum_agrees_with_nbitcoins_on_random_descriptor_text()
    {
        const string charset = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`\"\\ ";
        var random = new Random(380);
        for (var n = 0; n < 300; n++)
        {
            var text = new string(Enumerable.Range(0, random.Next(1, 120)).Select(_ => charset[random.Next(charset.Length)]).ToArray());
            Assert.Equal(Miniscript.GetCheckSum(text), DescriptorChecksum.Compute(text));
        }
    }

    [Fact]
    public void The_address_is_the_one_nbitcoins_descriptor_engine_derives_at_the_milestone_index()
    {
        var f = new EscrowFixture(index: 7);
        var multipath = "wsh(sortedmulti(2," + string.Join(",", f.Keys.All.Select(k => k.Origin.Replace("h", "'", StringComparison.Ordinal) + k.AccountKey + "/<0;1>/*")) + "))";
        var policy = Miniscript.Parse(multipath, new MiniscriptParsingSettings(EscrowFixture.Net) { Dialect = MiniscriptDialect.BIP388 });

        var derived = policy.Derive(AddressIntent.Deposit, 7).Miniscript.ToScripts();

        Assert.Equal(derived.ScriptPubKey, f.Escrow.ScriptPubKey);
        Assert.Equal(derived.RedeemScript, f.Escrow.WitnessScript);
    }

    [Fact]
    public void The_descriptor_names_every_origin_and_carries_a_checksum_nbitcoin_agrees_with()
    {
        var f = new EscrowFixture(index: 12);
        var body = f.Escrow.Descriptor[..f.Escrow.Descriptor.IndexOf('#')];

        Assert.StartsWith("wsh(sortedmulti(2,", body);
        foreach (var key in f.Keys.All)
            Assert.Contains(key.Text + "/0/12", body);
        Assert.EndsWith("#" + Miniscript.GetCheckSum(body), f.Escrow.Descriptor);
        Assert.Contains("/0/*", f.Escrow.WalletDescriptor);
    }

    [Fact]
    public void Each_milestone_index_has_its_own_address_and_keys()
    {
        var f = new EscrowFixture();
        var other = new MilestoneEscrow(f.Keys, 8);

        Assert.NotEqual(f.Escrow.Address, other.Address);
        Assert.All(f.Escrow.Signers, s => Assert.DoesNotContain(other.Signers, o => o.PubKey == s.PubKey));
    }

    [Fact]
    public void The_witness_script_is_a_sorted_2_of_3_of_the_three_parties()
    {
        var f = new EscrowFixture();
        var parameters = PayToMultiSigTemplate.Instance.ExtractScriptPubKeyParameters(f.Escrow.WitnessScript)!;

        Assert.Equal(2, parameters.SignatureCount);
        Assert.Equal(parameters.PubKeys.Select(p => p.ToHex()).Order(StringComparer.Ordinal), parameters.PubKeys.Select(p => p.ToHex()));
        Assert.Equal(f.Escrow.Signers.Select(s => s.PubKey).ToHashSet(), parameters.PubKeys.ToHashSet());
        Assert.Equal(EscrowRole.Agency, f.Escrow.RoleOf(f.Agency.MilestoneKey(7).PubKey));
    }

    [Theory]
    [InlineData(ScriptPubKeyType.Legacy)]
    [InlineData(ScriptPubKeyType.SegwitP2SH)]
    [InlineData(ScriptPubKeyType.Segwit)]
    [InlineData(ScriptPubKeyType.TaprootBIP86)]
    public void The_dust_threshold_agrees_with_nbitcoin(ScriptPubKeyType type)
    {
        var script = new Key().PubKey.GetScriptPubKey(type);

        Assert.Equal(new TxOut(Money.Zero, script).GetDustThreshold(), DustThreshold.For(script));
    }

    [Fact]
    public void The_dust_threshold_of_an_escrow_p2wsh_output_is_330_sat() =>
        Assert.Equal(Money.Satoshis(330), DustThreshold.For(new EscrowFixture().Escrow.ScriptPubKey));
}
