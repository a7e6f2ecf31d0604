using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>A signing round is plain data: stored as JSON between two uploads, it carries on as if it had stayed in memory.</summary>
public class SigningRoundStorageTests
{
    private static SigningRound RoundTrip(SigningRound round) =>
        JsonSerializer.Deserialize<SigningRound>(JsonSerializer.Serialize(round))!;

    [Fact]
    public void A_round_stored_after_each_upload_still_collects_checks_and_finalises()
    {
        var f = new EscrowFixture();
        var coin = f.Fund(800_000);
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Rule(Money.Satoshis(500_000), Money.Satoshis(8_000)), f.Payees, 6m).Unwrap();
        var clientCopy = f.Client.Sign(round.IssuedPsbt);
        var freelancerCopy = f.Freelancer.Sign(round.IssuedPsbt);
        var agencyCopy = f.Agency.Sign(round.IssuedPsbt);

        var stored = RoundTrip(round);
        stored = RoundTrip(stored.Accept(clientCopy).Unwrap().Round);
        Assert.Equal([EscrowRole.Client], stored.SignedBy);
        Assert.Equal("the agency", stored.StillNeeded());
        Assert.False(stored.Accept(freelancerCopy).IsValid); // the split ruling needs the agency
        stored = RoundTrip(stored.Accept(agencyCopy).Unwrap().Round);

        var spend = stored.Finalise().Unwrap();
        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
        Assert.Equal(round.UnsignedTxId, spend.TxId.ToString()); // segwit: the signed txid is the issued one
    }

    [Fact]
    public void The_issued_psbt_stays_as_issued_while_signatures_are_added_to_the_working_copy()
    {
        var f = new EscrowFixture();
        var round = EscrowSpends.Propose(f.Escrow, [f.Fund(800_000)], SpendDecision.Release(Money.Zero), f.Payees, 6m).Unwrap();

        var signed = f.SignBy(round, EscrowRole.Client);

        Assert.Equal(round.IssuedPsbt, signed.IssuedPsbt);
        Assert.NotEqual(round.Psbt, signed.Psbt);
        Assert.Single(PSBT.Parse(signed.Psbt, EscrowFixture.Net).Inputs[0].PartialSigs);
        Assert.Empty(PSBT.Parse(signed.IssuedPsbt, EscrowFixture.Net).Inputs[0].PartialSigs);
    }
}
