using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public class FundingProposalTests
{
    private static readonly Network Net = EscrowFixture.Net;
    private readonly EscrowFixture _f = new();
    private readonly Key _clientHotKey = new();

    /// <summary>The client's wallet prepares (does not sign) a payment to the escrow from one of its own outputs.</summary>
    private (PSBT Psbt, Coin Spent) Prepared(ScriptPubKeyType from, long toEscrow = 1_000_000)
    {
        var funding = _f.Chain.Fund(_clientHotKey.PubKey.GetAddress(from, Net), Money.Satoshis(2_000_000));
        var coin = new Coin(funding, 0);
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(Money.Satoshis(toEscrow), _f.Escrow.Address));
        tx.Outputs.Add(new TxOut(Money.Satoshis(2_000_000 - toEscrow - 1_000), _clientHotKey.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        var psbt = PSBT.FromTransaction(tx, Net);
        if (from == ScriptPubKeyType.Segwit)
            psbt.AddCoins(coin);
        else
            psbt.AddTransactions(funding);
        return (psbt, coin);
    }

    [Fact]
    public void The_refund_is_presigned_against_the_unsigned_funding_and_still_spends_it_after_the_client_signs()
    {
        var (prepared, _) = Prepared(ScriptPubKeyType.Segwit);
        var proposal = FundingProposal.Inspect(prepared.ToBase64(), _f.Escrow, Money.Satoshis(1_000_000)).Unwrap();
        var refundRound = EscrowSpends.PresignedRefund(_f.Escrow, [proposal.Coin], _f.Payees.Client, 700, 5m).Unwrap();
        var refund = _f.SignBy(refundRound, EscrowRole.Freelancer, EscrowRole.Agency).Finalise().Unwrap();

        prepared.SignWithKeys(_clientHotKey).Finalize();
        var signedFunding = prepared.ExtractTransaction();
        Assert.True(proposal.IsFundedBy(signedFunding));
        Assert.True(_f.Chain.Submit(signedFunding).IsValid);
        _f.Chain.Mine(700 - _f.Chain.Height);

        Assert.True(_f.Chain.Submit(refund.Transaction).IsValid);
    }

    [Fact]
    public void Funding_from_a_legacy_output_is_refused_because_signing_would_change_its_txid()
    {
        var (prepared, _) = Prepared(ScriptPubKeyType.Legacy);

        var proposal = FundingProposal.Inspect(prepared.ToBase64(), _f.Escrow, Money.Satoshis(1_000_000));

        Assert.Equal("funding", proposal.Field);
        Assert.Contains("legacy", proposal.Problem);
    }

    [Fact]
    public void A_funding_of_another_amount_is_refused() =>
        Assert.Contains("pays 999999 sat to the escrow; the milestone is 1000000 sat",
            FundingProposal.Inspect(Prepared(ScriptPubKeyType.Segwit, 999_999).Psbt.ToBase64(), _f.Escrow, Money.Satoshis(1_000_000)).Problem);

    [Fact]
    public void A_funding_that_does_not_pay_the_escrow_is_refused()
    {
        var other = new MilestoneEscrow(_f.Keys, 99);

        Assert.Contains("does not pay the milestone's escrow address",
            FundingProposal.Inspect(Prepared(ScriptPubKeyType.Segwit).Psbt.ToBase64(), other, Money.Satoshis(1_000_000)).Problem);
    }
}
