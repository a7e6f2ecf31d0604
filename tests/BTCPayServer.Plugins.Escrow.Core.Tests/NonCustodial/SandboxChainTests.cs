using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>The sandbox chain refuses what a node would refuse; each case changes one thing in an otherwise good spend.</summary>
public class SandboxChainTests
{
    private static readonly Network Net = Network.RegTest;
    private readonly SandboxChain _chain = new(Net, height: 200);
    private readonly Key _key = new();

    /// <summary>A P2WPKH output the test owns, and a signed spend of it that a node would take.</summary>
    private (Coin Coin, Transaction Spend) Owned(long sats = 100_000, Action<Transaction>? change = null, long fee = 200)
    {
        var funding = _chain.Fund(_key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), Money.Satoshis(sats));
        var coin = new Coin(funding, 0);
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(Money.Satoshis(sats - fee), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        change?.Invoke(tx);
        tx.Sign(_key.GetBitcoinSecret(Net), coin);
        return (coin, tx);
    }

    private void AssertRefused(Transaction tx, string expected)
    {
        var result = _chain.Submit(tx);
        Assert.False(result.IsValid, "accepted");
        Assert.Contains(expected, result.Problem);
    }

    [Fact]
    public void A_good_spend_is_accepted_and_confirmed_by_the_next_block()
    {
        var (_, spend) = Owned();

        Assert.True(_chain.Submit(spend).IsValid);
        Assert.Equal(0, _chain.Confirmations(spend.GetHash()));
        _chain.Mine(3);
        Assert.Equal(3, _chain.Confirmations(spend.GetHash()));
        Assert.Equal(203, _chain.Height);
    }

    [Fact]
    public void A_double_spend_is_refused()
    {
        var (coin, spend) = Owned();
        Assert.True(_chain.Submit(spend).IsValid);
        var conflict = Net.CreateTransaction();
        conflict.Inputs.Add(new TxIn(coin.Outpoint));
        conflict.Outputs.Add(new TxOut(Money.Satoshis(90_000), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        conflict.Sign(_key.GetBitcoinSecret(Net), coin);

        AssertRefused(conflict, "already spent");
    }

    [Fact]
    public void A_dropped_mempool_transaction_takes_its_children_with_it_and_frees_its_inputs()
    {
        var (coin, spend) = Owned();
        _chain.Mine();
        Assert.True(_chain.Submit(spend).IsValid);
        var paid = spend.Outputs[0].ScriptPubKey;
        Assert.Single(_chain.UnspentOutputs(paid));

        var dropped = _chain.Drop(spend.GetHash());

        Assert.True(dropped.IsValid, dropped.Problem);
        Assert.Equal([spend.GetHash()], dropped.Value);
        Assert.Null(_chain.Confirmations(spend.GetHash()));
        Assert.Empty(_chain.UnspentOutputs(paid));
        // The coin it spent can be spent again, by another transaction (a replacement).
        Assert.Equal(coin.Outpoint, Assert.Single(_chain.UnspentOutputs(coin.ScriptPubKey)).OutPoint);
        var replacement = Net.CreateTransaction();
        replacement.Version = 2;
        replacement.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        replacement.Outputs.Add(new TxOut(Money.Satoshis(99_000), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        replacement.Sign(_key.GetBitcoinSecret(Net), coin);
        Assert.True(_chain.Submit(replacement).IsValid);
    }

    [Fact]
    public void A_confirmed_or_unknown_transaction_cannot_be_dropped()
    {
        var (_, spend) = Owned();
        _chain.Mine();
        Assert.True(_chain.Submit(spend).IsValid);
        _chain.Mine();

        Assert.Contains("confirmed", _chain.WhyNotDroppable(spend.GetHash()));
        Assert.Contains("confirmed", _chain.Drop(spend.GetHash()).Problem);
        Assert.Contains("not on this chain", _chain.WhyNotDroppable(uint256.One));
        Assert.Contains("not on this chain", _chain.Drop(uint256.One).Problem);
        Assert.Equal(1, _chain.Confirmations(spend.GetHash()));
    }

    [Fact]
    public void Asking_whether_a_mempool_transaction_can_be_dropped_leaves_it_there()
    {
        var (_, spend) = Owned();
        _chain.Mine();
        Assert.True(_chain.Submit(spend).IsValid);

        Assert.Null(_chain.WhyNotDroppable(spend.GetHash()));

        Assert.Equal(0, _chain.Confirmations(spend.GetHash()));
        Assert.Single(_chain.UnspentOutputs(spend.Outputs[0].ScriptPubKey));
    }

    [Fact]
    public void An_input_the_chain_never_saw_is_refused()
    {
        var (_, spend) = Owned();
        spend.Inputs[0].PrevOut = new OutPoint(uint256.One, 0);

        AssertRefused(spend, "does not exist");
    }

    [Fact]
    public void A_wrong_signature_is_refused()
    {
        var (_, spend) = Owned();
        spend.Inputs[0].WitScript = new WitScript([new byte[72], _key.PubKey.ToBytes()]);

        AssertRefused(spend, "do not satisfy the script");
    }

    [Fact]
    public void A_fee_below_one_sat_per_vbyte_is_refused() =>
        AssertRefused(Owned(fee: 50).Spend, "below the minimum relay fee");

    [Fact]
    public void A_dust_output_is_refused() =>
        AssertRefused(Owned(sats: 100_000, fee: 1_000, change: tx => tx.Outputs.Insert(0, new TxOut(Money.Satoshis(293), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)))).Spend,
            "below the dust limit of 294 sat");

    [Fact]
    public void Paying_out_more_than_the_inputs_is_refused() =>
        AssertRefused(Owned(change: tx => tx.Outputs[0].Value = Money.Satoshis(100_001)).Spend, "more than it spends");

    [Fact]
    public void A_lock_time_at_the_next_block_is_refused_and_one_below_it_accepted()
    {
        AssertRefused(Owned(change: tx => tx.LockTime = new LockTime(201)).Spend, "locked until block 201");
        Assert.True(_chain.Submit(Owned(change: tx => tx.LockTime = new LockTime(200)).Spend).IsValid);
    }

    [Fact]
    public void A_lock_time_by_date_is_refused() =>
        AssertRefused(Owned(change: tx => tx.LockTime = new LockTime(DateTimeOffset.UtcNow.AddDays(-1))).Spend, "only knows block heights");

    [Fact]
    public void A_relative_lock_is_enforced_from_the_funding_confirmation()
    {
        var (_, early) = Owned(change: tx => tx.Inputs[0].Sequence = new Sequence(3));
        _chain.Mine(); // funding confirmed at 201
        AssertRefused(early, "locked for 3 blocks");
        _chain.Mine(2); // height 203: the next block, 204, is 3 after 201
        Assert.True(_chain.Submit(early).IsValid);
    }

    [Fact]
    public void A_non_standard_version_is_refused() =>
        AssertRefused(Owned(change: tx => tx.Version = 4).Spend, "version 4 is not standard");

    [Fact]
    public void Funding_shows_up_as_an_unspent_output_of_its_address()
    {
        var address = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);
        var funding = _chain.Fund(address, Money.Satoshis(5_000));

        var utxo = Assert.Single(_chain.UnspentOutputs(address.ScriptPubKey));
        Assert.Equal(new OutPoint(funding, 0), utxo.OutPoint);
        Assert.Null(utxo.Height);
        _chain.Mine();
        Assert.Equal(201, _chain.UnspentOutputs(address.ScriptPubKey).Single().Height);
    }
}
