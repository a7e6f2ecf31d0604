using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class UploadRefusalTests
{
    private readonly EscrowFixture _f = new();
    private readonly EscrowCoin _coin;
    private readonly SigningRound _release;

    public UploadRefusalTests()
    {
        _coin = _f.Fund(1_000_000);
        _f.Chain.Mine();
        _release = EscrowSpends.Propose(_f.Escrow, [_coin], SpendDecision.Release(Money.Satoshis(30_000)), _f.Payees, 5m).Unwrap();
    }

    /// <summary>A copy of the issued PSBT with its transaction changed, fields kept, then signed by the freelancer.</summary>
    private string TamperedAndSigned(Action<Transaction> change)
    {
        var issued = PSBT.Parse(_release.IssuedPsbt, EscrowFixture.Net);
        var tx = issued.GetGlobalTransaction();
        change(tx);
        var tampered = PSBT.FromTransaction(tx, EscrowFixture.Net);
        for (var i = 0; i < tampered.Inputs.Count; i++)
        {
            tampered.Inputs[i].WitnessUtxo = issued.Inputs[i].WitnessUtxo;
            tampered.Inputs[i].WitnessScript = issued.Inputs[i].WitnessScript;
            foreach (var (key, path) in issued.Inputs[i].HDKeyPaths)
                tampered.Inputs[i].AddKeyPath(key, path);
        }
        return _f.Freelancer.Sign(tampered.ToBase64());
    }

    private void AssertRefused(string upload, string expected)
    {
        var result = _release.Accept(upload);
        Assert.False(result.IsValid);
        Assert.Equal("psbt", result.Field);
        Assert.Contains(expected, result.Problem);
        Assert.Empty(_release.SignedBy);
    }

    [Fact]
    public void An_output_sent_to_another_address_is_refused() =>
        AssertRefused(TamperedAndSigned(tx => tx.Outputs[1].ScriptPubKey = EscrowFixture.NewAddress(ScriptPubKeyType.Segwit).ScriptPubKey),
            "Output 1 of this PSBT pays another address");

    [Fact]
    public void A_changed_amount_is_refused() =>
        AssertRefused(TamperedAndSigned(tx => tx.Outputs[0].Value += Money.Satoshis(1)), "pays 30001 sat; the issued one pays 30000 sat");

    [Fact]
    public void An_added_output_is_refused() =>
        AssertRefused(TamperedAndSigned(tx => tx.Outputs.Add(new TxOut(Money.Satoshis(10_000), EscrowFixture.NewAddress(ScriptPubKeyType.Segwit)))),
            "outputs were added or removed");

    [Fact]
    public void A_changed_lock_time_is_refused() =>
        AssertRefused(TamperedAndSigned(tx => tx.LockTime = new LockTime(10)), "lock time");

    [Fact]
    public void A_psbt_of_another_transaction_is_refused()
    {
        var other = _f.Fund(1_000_000);
        var otherRound = EscrowSpends.Propose(_f.Escrow, [other], SpendDecision.Release(Money.Satoshis(30_000)), _f.Payees, 5m).Unwrap();

        AssertRefused(_f.Freelancer.Sign(otherRound.IssuedPsbt), "spends other coins");
    }

    [Fact]
    public void A_signature_from_a_key_that_is_not_a_required_signer_is_refused() =>
        AssertRefused(_f.Agency.Sign(_release.IssuedPsbt), "The agency signed, but this release is signed by the client and the freelancer");

    [Fact]
    public void A_signature_from_a_key_outside_the_escrow_is_refused()
    {
        var psbt = PSBT.Parse(_release.IssuedPsbt, EscrowFixture.Net);
        var stranger = new Key();
        psbt.Inputs[0].PartialSigs[stranger.PubKey] = TestWallet.SignRaw(psbt, 0, stranger, SigHash.All);

        AssertRefused(psbt.ToBase64(), "not one of this escrow's three keys");
    }

    [Fact]
    public void A_signature_with_another_sighash_type_is_refused() =>
        AssertRefused(_f.Freelancer.Sign(_release.IssuedPsbt, SigHash.None), "uses sighash type None");

    [Fact]
    public void A_signature_made_for_another_transaction_is_refused()
    {
        var foreign = PSBT.Parse(TamperedAndSigned(tx => tx.Outputs[0].Value -= Money.Satoshis(1)), EscrowFixture.Net);
        var copy = PSBT.Parse(_release.IssuedPsbt, EscrowFixture.Net);
        foreach (var (key, sig) in foreign.Inputs[0].PartialSigs)
            copy.Inputs[0].PartialSigs[key] = sig;

        AssertRefused(copy.ToBase64(), "does not sign this transaction");
    }

    [Fact]
    public void An_unsigned_psbt_is_refused_with_who_must_sign() =>
        AssertRefused(_release.IssuedPsbt, "carries no signature");

    [Theory]
    [InlineData("")]
    [InlineData("not a psbt at all")]
    [InlineData("cHNidP8BAAo=")]
    [InlineData("70736274ff00")]
    public void Text_that_is_not_a_psbt_is_refused(string upload)
    {
        var result = _release.Accept(upload);

        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(result.Problem));
    }

    [Fact]
    public void A_binary_psbt_file_is_read_like_its_base64_text()
    {
        var signed = PSBT.Parse(_f.Client.Sign(_release.IssuedPsbt), EscrowFixture.Net);

        var result = _release.Accept(signed.ToBytes());

        Assert.Equal([EscrowRole.Client], result.Unwrap().NewSigners);
        Assert.Equal("the freelancer", result.Value!.Round.StillNeeded());
    }

    [Fact]
    public void A_psbt_pasted_as_hex_is_read_like_base64()
    {
        var signed = PSBT.Parse(_f.Freelancer.Sign(_release.IssuedPsbt), EscrowFixture.Net);

        var result = _release.Accept(signed.ToHex());

        Assert.Equal([EscrowRole.Freelancer], result.Unwrap().NewSigners);
    }

    [Fact]
    public void Uploading_the_same_signature_twice_changes_nothing()
    {
        var signed = _f.Client.Sign(_release.IssuedPsbt);
        var once = _release.Accept(signed).Unwrap().Round;

        var twice = once.Accept(signed).Unwrap();

        Assert.Empty(twice.NewSigners);
        Assert.Equal(once, twice.Round);
    }

    [Fact]
    public void One_signature_cannot_be_finalised()
    {
        var once = _f.SignBy(_release, EscrowRole.Client);

        var finalised = once.Finalise();

        Assert.False(finalised.IsValid);
        Assert.Contains("still waiting for the freelancer", finalised.Problem);
    }

    [Fact]
    public void The_chain_refuses_a_forced_single_party_spend()
    {
        var once = _f.SignBy(_release, EscrowRole.Client);
        var psbt = PSBT.Parse(once.Psbt, EscrowFixture.Net);
        var sig = psbt.Inputs[0].PartialSigs.Values.Single().ToBytes();
        var script = _f.Escrow.WitnessScript.ToBytes();

        foreach (var witness in new[] { new WitScript([[], sig, script]), new WitScript([[], sig, sig, script]), new WitScript([[], sig, [], script]) })
        {
            var tx = psbt.GetGlobalTransaction();
            tx.Inputs[0].WitScript = witness;
            var submitted = _f.Chain.Submit(tx);
            Assert.False(submitted.IsValid);
            Assert.Contains("do not satisfy the script", submitted.Problem);
        }
    }

    [Fact]
    public void Any_two_keys_satisfy_the_script_so_the_round_not_the_chain_decides_who_signs_a_release()
    {
        // The agency's signature never gets into a release round; a hand-built witness with it still spends (2-of-3 is
        // the script), which is why the round, not the chain, enforces who signs each decision.
        var client = PSBT.Parse(_f.Client.Sign(_release.IssuedPsbt), EscrowFixture.Net).Inputs[0].PartialSigs.Single();
        var agency = PSBT.Parse(_f.Agency.Sign(_release.IssuedPsbt), EscrowFixture.Net).Inputs[0].PartialSigs.Single();
        var keyOrder = PayToMultiSigTemplate.Instance.ExtractScriptPubKeyParameters(_f.Escrow.WitnessScript)!.PubKeys.ToList();
        var sigs = new[] { client, agency }.OrderBy(s => keyOrder.IndexOf(s.Key)).Select(s => s.Value.ToBytes()).ToArray();
        var tx = PSBT.Parse(_release.IssuedPsbt, EscrowFixture.Net).GetGlobalTransaction();
        tx.Inputs[0].WitScript = new WitScript([[], sigs[0], sigs[1], _f.Escrow.WitnessScript.ToBytes()]);

        Assert.True(_f.Chain.Submit(tx).IsValid);
    }
}
