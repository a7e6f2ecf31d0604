using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class SpendPathTests
{
    private const long Escrowed = 1_000_000;

    private static (EscrowFixture F, EscrowCoin Coin) Funded()
    {
        var f = new EscrowFixture();
        var coin = f.Fund(Escrowed);
        f.Chain.Mine();
        return (f, coin);
    }

    [Fact]
    public void Release_signed_by_client_and_freelancer_pays_the_freelancer_and_the_agency_fee_and_is_mined()
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Release(Money.Satoshis(50_000)), f.Payees, 5m).Unwrap();

        var signed = f.SignBy(round, EscrowRole.Client, EscrowRole.Freelancer);
        var spend = signed.Finalise().Unwrap();

        Assert.True(f.Chain.Submit(spend.Transaction).IsValid, f.Chain.Submit(spend.Transaction).Problem);
        f.Chain.Mine();
        Assert.Equal(1, f.Chain.Confirmations(spend.TxId));
        var outputs = spend.Transaction.Outputs;
        Assert.Equal(50_000, outputs.Single(o => o.ScriptPubKey == f.Payees.Agency!.ScriptPubKey).Value.Satoshi);
        Assert.Equal(Escrowed - 50_000 - spend.Fee.Satoshi, outputs.Single(o => o.ScriptPubKey == f.Payees.Freelancer.ScriptPubKey).Value.Satoshi);
        Assert.DoesNotContain(outputs, o => o.ScriptPubKey == f.Payees.Client.ScriptPubKey);
        Assert.True(spend.Fee.Satoshi >= 5 * spend.VirtualSize);
    }

    [Fact]
    public void Cooperative_refund_signed_by_client_and_agency_pays_the_client_everything_but_the_fee()
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.RefundClient(), f.Payees, 2m).Unwrap();

        var spend = f.SignBy(round, EscrowRole.Client, EscrowRole.Agency).Finalise().Unwrap();

        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
        var output = Assert.Single(spend.Transaction.Outputs);
        Assert.Equal(f.Payees.Client.ScriptPubKey, output.ScriptPubKey);
        Assert.Equal(Escrowed - spend.Fee.Satoshi, output.Value.Satoshi);
    }

    [Theory]
    [InlineData(Escrowed, EscrowRole.Freelancer)]
    [InlineData(0, EscrowRole.Client)]
    public void A_ruling_for_one_party_is_signed_by_the_agency_and_that_party(long toFreelancer, EscrowRole favoured)
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Rule(Money.Satoshis(toFreelancer), Money.Zero), f.Payees, 3m).Unwrap();
        Assert.Equal([EscrowRole.Agency, favoured], round.Rule.Eligible);

        var spend = f.SignBy(round, EscrowRole.Agency, favoured).Finalise().Unwrap();

        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
    }

    [Theory]
    [InlineData(EscrowRole.Client)]
    [InlineData(EscrowRole.Freelancer)]
    public void A_split_ruling_is_signed_by_the_agency_and_either_party(EscrowRole second)
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Rule(Money.Satoshis(700_000), Money.Satoshis(20_000)), f.Payees, 5m).Unwrap();

        var spend = f.SignBy(round, second, EscrowRole.Agency).Finalise().Unwrap();

        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
        Assert.Equal(3, spend.Transaction.Outputs.Count);
    }

    [Fact]
    public void A_split_ruling_without_the_agency_is_refused_at_the_second_upload()
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Rule(Money.Satoshis(700_000), Money.Zero), f.Payees, 5m).Unwrap();
        var afterClient = f.SignBy(round, EscrowRole.Client);

        var upload = afterClient.Accept(f.Freelancer.Sign(round.IssuedPsbt));

        Assert.False(upload.IsValid);
        Assert.Contains("the agency and either the client or the freelancer", upload.Problem);
    }

    [Fact]
    public void An_agreed_split_signed_by_both_parties_pays_both_and_splits_the_network_fee()
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.AgreedSplit(Money.Satoshis(600_000), Money.Zero), f.Payees, 4m).Unwrap();

        var spend = f.SignBy(round, EscrowRole.Freelancer, EscrowRole.Client).Finalise().Unwrap();

        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
        var toClient = spend.Transaction.Outputs.Single(o => o.ScriptPubKey == f.Payees.Client.ScriptPubKey).Value.Satoshi;
        var toFreelancer = spend.Transaction.Outputs.Single(o => o.ScriptPubKey == f.Payees.Freelancer.ScriptPubKey).Value.Satoshi;
        Assert.InRange(400_000 - toClient, 1, spend.Fee.Satoshi - 1);
        Assert.Equal(spend.Fee.Satoshi, 400_000 - toClient + (600_000 - toFreelancer));
    }

    [Fact]
    public void Two_funding_outputs_are_spent_together_and_each_party_must_sign_both()
    {
        var f = new EscrowFixture();
        var first = f.Fund(600_000);
        var second = f.Fund(400_000);
        f.Chain.Mine();
        var round = EscrowSpends.Propose(f.Escrow, [first, second], SpendDecision.Release(Money.Zero), f.Payees, 1m).Unwrap();

        // A wallet that signs only one input leaves the other unspendable: refused.
        var partial = PSBT.Parse(f.Client.Sign(round.IssuedPsbt), EscrowFixture.Net);
        partial.Inputs[1].PartialSigs.Clear();
        var refusal = round.Accept(partial.ToBase64());
        Assert.False(refusal.IsValid);
        Assert.Contains("signed 1 of the 2 inputs", refusal.Problem);

        var spend = f.SignBy(round, EscrowRole.Client, EscrowRole.Freelancer).Finalise().Unwrap();
        Assert.True(f.Chain.Submit(spend.Transaction).IsValid);
        Assert.Equal(1_000_000 - spend.Fee.Satoshi, spend.Transaction.Outputs.Single().Value.Satoshi);
    }

    [Fact]
    public void The_witness_template_size_is_never_below_the_real_size_and_at_most_one_vbyte_per_input_above()
    {
        var (f, coin) = Funded();
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Rule(Money.Satoshis(300_000), Money.Satoshis(10_000)), f.Payees, 1m).Unwrap();
        var spend = f.SignBy(round, EscrowRole.Agency, EscrowRole.Client).Finalise().Unwrap();

        var estimate = EscrowTxSize.VirtualSize(1, spend.Transaction.Outputs.Select(o => o.ScriptPubKey));

        Assert.InRange(estimate - spend.VirtualSize, 0, 1);
    }
}
