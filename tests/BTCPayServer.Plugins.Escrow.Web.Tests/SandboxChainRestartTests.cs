using AngleSharp.Dom;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>A host on a data folder that outlives it, so a second host on the same folder is a restart.</summary>
public sealed class RestartedEscrowApp(string dataDir, bool keepData) : EscrowApp(dataDir, keepData);

public sealed class SandboxChainRestartTests
{
    private static readonly Network Net = Network.RegTest;

    [Fact]
    public async Task A_restarted_host_has_the_same_sandbox_chain()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-web-tests", Guid.NewGuid().ToString("N"));
        var key = new Key();
        var address = key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);
        string paidTxId;
        Transaction spend;
        int height;
        var first = new RestartedEscrowApp(dataDir, keepData: true);
        await first.InitializeAsync();
        try
        {
            var browser = first.NewBrowser();
            var paid = await browser.SubmitAsync(await browser.OpenAsync("/sandbox/wallet"), "#PayButton", ("destination", address.ToString()), ("amount", "0.05"));
            paidTxId = paid.Text("#PaidTxId");
            await browser.SubmitAsync(paid, "#MineButton", ("blocks", "3"));
            // A broadcast through the escrow's chain port is kept as well, unconfirmed.
            var chain = first.Services.GetRequiredService<IEscrowChain>();
            var coin = new Coin(await chain.GetTransactionAsync(uint256.Parse(paidTxId), CancellationToken.None), 0u);
            spend = SpendOf(coin, key);
            Assert.True((await chain.BroadcastAsync(spend, CancellationToken.None)).Accepted);
            height = await chain.GetHeightAsync(CancellationToken.None);
            Assert.Empty(first.LoggedErrors);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = new RestartedEscrowApp(dataDir, keepData: false);
        await second.InitializeAsync();
        try
        {
            var chain = second.Services.GetRequiredService<IEscrowChain>();
            Assert.Equal(height, await chain.GetHeightAsync(CancellationToken.None));
            var page = await second.NewBrowser().OpenAsync("/sandbox/wallet");
            Assert.Equal(height, int.Parse(page.Get("#ChainHeight").GetAttribute("data-height")!));
            Assert.Equal("3", Row(page, paidTxId).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations"));
            Assert.Equal("0", Row(page, spend.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations"));
            // The coin the spend took stays spent: the same spend again is refused, and its output is there.
            Assert.Empty(await chain.GetCoinsAsync(address, CancellationToken.None));
            Assert.False((await chain.BroadcastAsync(spend, CancellationToken.None)).Accepted);
            Assert.Equal(0, (await chain.GetCoinsAsync(spend.Outputs[0].ScriptPubKey.GetDestinationAddress(Net)!, CancellationToken.None)).Single().Confirmations);
            var browser = second.NewBrowser();
            var mined = await browser.SubmitAsync(await browser.OpenAsync("/sandbox/wallet"), "#MineButton", ("blocks", "1"));
            Assert.Equal("1", Row(mined, spend.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations"));
            Assert.Empty(second.LoggedErrors);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_dropped_transaction_stays_dropped_after_a_restart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-web-tests", Guid.NewGuid().ToString("N"));
        var key = new Key();
        var address = key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);
        Transaction? spend = null;
        await OnHostAsync(dataDir, keepData: true, async first =>
        {
            var browser = first.NewBrowser();
            var paid = await browser.SubmitAsync(await browser.OpenAsync("/sandbox/wallet"), "#PayButton", ("destination", address.ToString()), ("amount", "0.05"));
            var mined = await browser.SubmitAsync(paid, "#MineButton", ("blocks", "1"));
            var coin = new Coin(await first.Services.GetRequiredService<IEscrowChain>().GetTransactionAsync(uint256.Parse(paid.Text("#PaidTxId")), CancellationToken.None), 0u);
            spend = SpendOf(coin, key);
            var sent = await browser.SubmitAsync(mined, "#BroadcastButton", ("transaction", spend.ToHex()));
            var asked = await browser.SubmitAsync(sent, $"#ChainTransactions tr[data-txid='{spend.GetHash()}'] .tx-drop");
            var dropped = await browser.SubmitAsync(asked, "#ConfirmDrop");
            Assert.Equal("dropped", Row(dropped, spend.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-status"));
        });

        await OnHostAsync(dataDir, keepData: false, async second =>
        {
            var chain = second.Services.GetRequiredService<IEscrowChain>();
            var browser = second.NewBrowser();
            var page = await browser.OpenAsync("/sandbox/wallet");
            Assert.Equal("dropped", Row(page, spend!.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-status"));
            Assert.Null(await chain.GetTransactionAsync(spend.GetHash(), CancellationToken.None));
            // The coin it spent is unspent again, so the same transaction can be broadcast anew.
            Assert.Single(await chain.GetCoinsAsync(address, CancellationToken.None));
            var again = await browser.SubmitAsync(page, "#BroadcastButton", ("transaction", spend.ToHex()));
            Assert.Equal(spend.GetHash().ToString(), again.Text("#PaidTxId"));
            Assert.Empty(await chain.GetCoinsAsync(address, CancellationToken.None));
        });
    }

    [Fact]
    public async Task A_journal_that_no_longer_replays_stops_the_host_naming_the_file_to_delete()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-web-tests", Guid.NewGuid().ToString("N"));
        var key = new Key();
        var first = new RestartedEscrowApp(dataDir, keepData: true);
        await first.InitializeAsync();
        try
        {
            var chain = first.Services.GetRequiredService<IEscrowChain>();
            var browser = first.NewBrowser();
            var paid = await browser.SubmitAsync(await browser.OpenAsync("/sandbox/wallet"), "#PayButton",
                ("destination", key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net).ToString()), ("amount", "0.01"));
            var coin = new Coin(await chain.GetTransactionAsync(uint256.Parse(paid.Text("#PaidTxId")), CancellationToken.None), 0u);
            var spend = Net.CreateTransaction();
            spend.Inputs.Add(new TxIn(coin.Outpoint));
            spend.Outputs.Add(new TxOut(coin.Amount - Money.Satoshis(1_000), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
            spend.Sign(key.GetBitcoinSecret(Net), coin);
            Assert.True((await chain.BroadcastAsync(spend, CancellationToken.None)).Accepted);
            // The faucet payment the spend depends on is lost from the journal.
            await using var db = await first.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Host.Sandbox.SandboxWalletDbContext>>().CreateDbContextAsync();
            db.ChainRecords.Remove(db.ChainRecords.OrderBy(r => r.Id).First());
            await db.SaveChangesAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = new RestartedEscrowApp(dataDir, keepData: false);
        try
        {
            // The host stops itself (the start-up gate fails): never answering with half a chain.
            await Assert.ThrowsAnyAsync<Exception>(second.InitializeAsync);
            // The failed start-up is logged by a continuation of the start-up gate, which may run just after the start fails.
            await Eventually.UntilAsync(() => Task.FromResult(second.LoggedErrors.Any(l => l.Contains("The databases could not be prepared; stopping"))), "the start-up failure is logged");
            var logged = Assert.Single(second.LoggedErrors, l => l.Contains("The databases could not be prepared; stopping"));
            Assert.Contains("sandbox-wallet-regtest.db", logged);
            Assert.Contains("does not exist on this chain", logged);
            Assert.Contains("Delete that file", logged);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    /// <summary>Runs <paramref name="act"/> on a host over <paramref name="dataDir"/>, then stops it; it must log no error.</summary>
    private static async Task OnHostAsync(string dataDir, bool keepData, Func<RestartedEscrowApp, Task> act)
    {
        var app = new RestartedEscrowApp(dataDir, keepData);
        await app.InitializeAsync();
        try
        {
            await act(app);
            Assert.Empty(app.LoggedErrors);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>The coin, less a 1,000 sat fee, to a new address: signed, version 2, replaceable.</summary>
    private static Transaction SpendOf(Coin coin, Key key)
    {
        var spend = Net.CreateTransaction();
        spend.Version = 2;
        spend.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        spend.Outputs.Add(new TxOut(coin.Amount - Money.Satoshis(1_000), new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        spend.Sign(key.GetBitcoinSecret(Net), coin);
        return spend;
    }

    private static IElement Row(Page page, string txid) => page.Get($"#ChainTransactions tr[data-txid='{txid}']");
}
