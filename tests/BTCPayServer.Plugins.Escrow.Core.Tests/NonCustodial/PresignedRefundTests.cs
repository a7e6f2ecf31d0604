using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class PresignedRefundTests
{
    private const uint RefundHeight = 600;

    private static (EscrowFixture F, FinalisedSpend Refund) PresignedBeforeFunding()
    {
        var f = new EscrowFixture();
        var coin = f.Fund(1_000_000); // in the mempool: the funding txid is known, the escrow not yet confirmed
        var round = EscrowSpends.PresignedRefund(f.Escrow, [coin], f.Payees.Client, RefundHeight, 10m).Unwrap();
        var refund = f.SignBy(round, EscrowRole.Freelancer, EscrowRole.Agency).Finalise().Unwrap();
        f.Chain.Mine();
        return (f, refund);
    }

    [Fact]
    public void The_refund_is_locked_to_its_height_with_an_rbf_sequence_and_version_2()
    {
        var (_, refund) = PresignedBeforeFunding();

        Assert.Equal((int)RefundHeight, refund.Transaction.LockTime.Height);
        Assert.Equal(0xfffffffdu, (uint)Assert.Single(refund.Transaction.Inputs).Sequence);
        Assert.Equal(2u, refund.Transaction.Version);
        Assert.True(refund.Fee.Satoshi >= 10 * refund.VirtualSize);
    }

    [Fact]
    public void The_chain_refuses_the_refund_one_block_before_its_height()
    {
        var (f, refund) = PresignedBeforeFunding();
        f.Chain.Mine((int)RefundHeight - 1 - f.Chain.Height);
        Assert.Equal((int)RefundHeight - 1, f.Chain.Height);

        var submitted = f.Chain.Submit(refund.Transaction);

        Assert.False(submitted.IsValid);
        Assert.Contains("locked until block 600", submitted.Problem);
    }

    [Fact]
    public void The_chain_accepts_the_refund_at_its_height_and_mines_it()
    {
        var (f, refund) = PresignedBeforeFunding();
        f.Chain.Mine((int)RefundHeight - f.Chain.Height);

        var submitted = f.Chain.Submit(refund.Transaction);
        f.Chain.Mine();

        Assert.True(submitted.IsValid, submitted.Problem);
        Assert.Equal(1, f.Chain.Confirmations(refund.TxId));
        Assert.Equal(f.Payees.Client.ScriptPubKey, Assert.Single(f.Chain.UnspentOutputs(f.Payees.Client.ScriptPubKey)).Output.ScriptPubKey);
        Assert.Empty(f.Chain.UnspentOutputs(f.Escrow.ScriptPubKey));
    }

    [Fact]
    public void A_release_signed_before_the_refund_height_wins_and_the_refund_is_then_a_double_spend()
    {
        var (f, refund) = PresignedBeforeFunding();
        var coin = f.Chain.UnspentOutputs(f.Escrow.ScriptPubKey).Single();
        var release = EscrowSpends.Propose(f.Escrow, [new EscrowCoin(coin.OutPoint, coin.Output.Value)], SpendDecision.Release(Money.Zero), f.Payees, 2m).Unwrap();
        Assert.True(f.Chain.Submit(f.SignBy(release, EscrowRole.Client, EscrowRole.Freelancer).Finalise().Unwrap().Transaction).IsValid);
        f.Chain.Mine((int)RefundHeight - f.Chain.Height);

        var submitted = f.Chain.Submit(refund.Transaction);

        Assert.False(submitted.IsValid);
        Assert.Contains("already spent", submitted.Problem);
    }

    [Theory]
    [InlineData(EscrowRole.Client)]
    public void Only_freelancer_and_agency_may_presign_the_refund(EscrowRole wrong)
    {
        var f = new EscrowFixture();
        var round = EscrowSpends.PresignedRefund(f.Escrow, [f.Fund(1_000_000)], f.Payees.Client, RefundHeight, 10m).Unwrap();

        var upload = round.Accept(f.Wallet(wrong).Sign(round.IssuedPsbt));

        Assert.False(upload.IsValid);
        Assert.Contains("signed by the freelancer and the agency", upload.Problem);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(500_000_000u)]
    public void A_refund_height_that_is_not_a_block_height_is_refused(uint height)
    {
        var f = new EscrowFixture();

        var round = EscrowSpends.PresignedRefund(f.Escrow, [f.Fund(1_000_000)], f.Payees.Client, height, 10m);

        Assert.Equal("refundHeight", round.Field);
    }
}
