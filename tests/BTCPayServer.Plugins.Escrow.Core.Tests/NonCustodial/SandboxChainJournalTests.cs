using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>A journaled sandbox chain records each change before making it, and its replay is the same chain.</summary>
public class SandboxChainJournalTests
{
    private static readonly Network Net = Network.RegTest;
    private readonly Key _key = new();

    private sealed class ListJournal : ISandboxChainJournal
    {
        public List<SandboxChainEntry> Entries { get; } = [];
        public bool Fail { get; set; }

        public void Append(SandboxChainEntry entry)
        {
            if (Fail)
                throw new IOException("the disk is full");
            Entries.Add(entry);
        }
    }

    private BitcoinAddress Owned => _key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);

    private Transaction SpendOf(Transaction funding, long fee = 300, uint sequence = 0xfffffffd, uint lockTime = 0)
    {
        var coin = new Coin(funding, 0);
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.LockTime = lockTime;
        tx.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = sequence });
        tx.Outputs.Add(new TxOut(coin.Amount - Money.Satoshis(fee), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        tx.Sign(_key.GetBitcoinSecret(Net), coin);
        return tx;
    }

    [Fact]
    public void A_replayed_journal_is_the_same_chain_and_keeps_recording()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var funding = chain.Fund(Owned, Money.Satoshis(100_000));
        chain.Mine(5);
        var spend = SpendOf(funding, lockTime: 104);
        Assert.True(chain.Submit(spend).IsValid);
        var unconfirmed = chain.Fund(Owned, Money.Satoshis(20_000));

        var again = SandboxChain.Replay(Net, journal.Entries, journal);

        Assert.Equal(chain.Height, again.Height);
        Assert.Equal(5, again.Confirmations(funding.GetHash()));
        Assert.Equal(0, again.Confirmations(spend.GetHash()));
        Assert.Equal(0, again.Confirmations(unconfirmed.GetHash()));
        Assert.Equal(chain.UnspentOutputs(Owned.ScriptPubKey), again.UnspentOutputs(Owned.ScriptPubKey));
        // Spent before the restart, still spent after it.
        Assert.Contains("already spent", again.Submit(SpendOf(funding, fee: 500)).Problem);
        var entries = journal.Entries.Count;
        again.Mine();
        Assert.Equal(entries + 1, journal.Entries.Count);
        Assert.Equal(1, again.Confirmations(spend.GetHash()));
    }

    [Fact]
    public void A_dropped_transaction_stays_dropped_after_a_replay()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var funding = chain.Fund(Owned, Money.Satoshis(100_000));
        chain.Mine();
        var spend = SpendOf(funding);
        Assert.True(chain.Submit(spend).IsValid);
        Assert.True(chain.Drop(spend.GetHash()).IsValid);

        var again = SandboxChain.Replay(Net, journal.Entries, journal);

        Assert.Null(again.Confirmations(spend.GetHash()));
        Assert.Equal(chain.UnspentOutputs(Owned.ScriptPubKey), again.UnspentOutputs(Owned.ScriptPubKey));
        Assert.True(again.Submit(SpendOf(funding, fee: 500)).IsValid);
    }

    [Fact]
    public void A_change_the_journal_cannot_record_is_not_made()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var funding = chain.Fund(Owned, Money.Satoshis(100_000));
        chain.Mine();
        journal.Fail = true;

        Assert.Throws<IOException>(() => chain.Fund(Owned, Money.Satoshis(5_000)));
        var spend = SpendOf(funding);
        Assert.Throws<IOException>(() => chain.Submit(spend));
        Assert.Throws<IOException>(() => chain.Mine(3));

        Assert.Equal(101, chain.Height);
        Assert.Null(chain.Confirmations(spend.GetHash()));
        Assert.Equal(funding.GetHash(), Assert.Single(chain.UnspentOutputs(Owned.ScriptPubKey)).OutPoint.Hash);
        journal.Fail = false;
        Assert.True(chain.Submit(spend).IsValid);
    }

    [Fact]
    public void A_refused_transaction_is_not_recorded()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var funding = chain.Fund(Owned, Money.Satoshis(100_000));

        Assert.False(chain.Submit(SpendOf(funding, lockTime: 500)).IsValid);

        Assert.Equal([SandboxChainChange.Funded], journal.Entries.Select(e => e.Change));
    }

    [Fact]
    public void A_journal_whose_transaction_no_longer_holds_fails_to_replay_naming_the_entry()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var funding = chain.Fund(Owned, Money.Satoshis(100_000));
        Assert.True(chain.Submit(SpendOf(funding, lockTime: 100)).IsValid);

        // Replayed from a lower start, the spend comes before its lock time: the replay stops there.
        var e = Assert.Throws<InvalidOperationException>(() => SandboxChain.Replay(Net, journal.Entries, height: 99));

        Assert.Contains("entry 2", e.Message);
        Assert.Contains("locked until block 100", e.Message);
        Assert.Throws<InvalidOperationException>(() => SandboxChain.Replay(Net, [SandboxChainEntry.Mined(0)]));
        Assert.Throws<InvalidOperationException>(() => SandboxChain.Replay(Net, [new SandboxChainEntry(SandboxChainChange.Accepted, null, 0)]));
    }

    [Fact]
    public async Task Changes_made_at_the_same_time_from_many_threads_are_journaled_in_the_chains_order()
    {
        var journal = new ListJournal();
        var chain = new SandboxChain(Net, journal: journal);
        var addresses = Enumerable.Range(0, 8).Select(_ => new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)).ToList();

        await Task.WhenAll(addresses.Select((address, i) => Task.Run(() =>
        {
            for (var n = 0; n < 25; n++)
            {
                chain.Fund(address, Money.Satoshis(10_000 + n));
                if (n % 5 == i % 5)
                    chain.Mine();
            }
        })));

        var again = SandboxChain.Replay(Net, journal.Entries);
        Assert.Equal(chain.Height, again.Height);
        Assert.Equal(8 * 25 + 8 * 5, journal.Entries.Count);
        foreach (var address in addresses)
        {
            var coins = chain.UnspentOutputs(address.ScriptPubKey);
            Assert.Equal(25, coins.Count);
            Assert.Equal(coins.OrderBy(c => c.OutPoint.ToString()), again.UnspentOutputs(address.ScriptPubKey).OrderBy(c => c.OutPoint.ToString()));
        }
    }
}
