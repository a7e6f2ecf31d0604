using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>The standalone host's chain port over the sandbox: what was paid to an escrow address and how deep, and broadcasts that a node would take or refuse.</summary>
public sealed class SandboxEscrowChainTests
{
    [Fact]
    public async Task Coins_at_an_escrow_address_are_seen_in_the_mempool_then_with_their_confirmations()
    {
        var f = new EscrowFixture();
        var chain = new SandboxEscrowChain(f.Chain);
        await chain.WatchAsync(f.Escrow.Address, CancellationToken.None);
        Assert.Empty(await chain.GetCoinsAsync(f.Escrow.Address, CancellationToken.None));

        var funding = f.Chain.Fund(f.Escrow.Address, Money.Satoshis(250_000));
        var seen = Assert.Single(await chain.GetCoinsAsync(f.Escrow.Address, CancellationToken.None));
        Assert.Equal((new OutPoint(funding, 0), 250_000L, 0), (seen.OutPoint, seen.Amount.Satoshi, seen.Confirmations));

        f.Chain.Mine(3);
        Assert.Equal(3, Assert.Single(await chain.GetCoinsAsync(f.Escrow.Address, CancellationToken.None)).Confirmations);
        Assert.Equal(503, await chain.GetHeightAsync(CancellationToken.None));
        Assert.Equal(funding.GetHash(), (await chain.GetTransactionAsync(funding.GetHash(), CancellationToken.None))!.GetHash());
        // Another address sees nothing of it.
        Assert.Empty(await chain.GetCoinsAsync(EscrowFixture.NewAddress(ScriptPubKeyType.Segwit), CancellationToken.None));
    }

    [Fact]
    public async Task A_release_signed_by_two_parties_is_broadcast_and_spends_the_coin_and_a_one_party_spend_is_refused_with_the_reason()
    {
        var f = new EscrowFixture();
        var chain = new SandboxEscrowChain(f.Chain);
        f.Chain.Fund(f.Escrow.Address, Money.Satoshis(1_000_000));
        f.Chain.Mine();
        var coin = Assert.Single(await chain.GetCoinsAsync(f.Escrow.Address, CancellationToken.None)).ToEscrowCoin();
        var fee = await chain.GetFeeRateAsync(6, new FeeRate(Money.Satoshis(10), 1), CancellationToken.None);
        var round = EscrowSpends.Propose(f.Escrow, [coin], SpendDecision.Release(Money.Zero), f.Payees, fee.SatoshiPerByte).Unwrap();

        // One signature is not a spend: forced into a transaction anyway, the node refuses it and says why.
        var single = PSBT.Parse(f.Client.Sign(round.IssuedPsbt), EscrowFixture.Net);
        var forced = single.GetGlobalTransaction();
        forced.Inputs[0].WitScript = new WitScript(Op.GetPushOp([]), Op.GetPushOp(single.Inputs[0].PartialSigs.Values.Single().ToBytes()), Op.GetPushOp(f.Escrow.WitnessScript.ToBytes()));
        var refused = await chain.BroadcastAsync(forced, CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.False(string.IsNullOrWhiteSpace(refused.Refusal));

        var spend = f.SignBy(round, EscrowRole.Client, EscrowRole.Freelancer).Finalise().Unwrap();
        var sent = await chain.BroadcastAsync(spend.Transaction, CancellationToken.None);
        Assert.True(sent.Accepted, sent.Refusal);
        Assert.Equal(spend.TxId, sent.TxId);
        Assert.Empty(await chain.GetCoinsAsync(f.Escrow.Address, CancellationToken.None));
        // The same transaction again is a double spend now.
        Assert.False((await chain.BroadcastAsync(spend.Transaction, CancellationToken.None)).Accepted);
    }
}
