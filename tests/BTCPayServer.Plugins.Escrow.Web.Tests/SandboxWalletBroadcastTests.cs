using System.Net;
using AngleSharp.Dom;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The sandbox wallet's broadcast of a transaction signed elsewhere, and its drop of an unconfirmed one.</summary>
public sealed class SandboxWalletBroadcastTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private const string Wallet = "/sandbox/wallet";
    private static readonly Network Net = Network.RegTest;

    private IEscrowChain Chain => app.Services.GetRequiredService<IEscrowChain>();

    private SandboxChain Sandbox => app.Services.GetRequiredService<Host.Sandbox.SandboxChainStore>().Chain;

    private static BitcoinAddress NewAddress() => new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);

    private static IElement Row(Page page, string txid) => page.Get($"#ChainTransactions tr[data-txid='{txid}']");

    private static string Status(Page page, string txid) => Row(page, txid).QuerySelector(".tx-confirmations")!.GetAttribute("data-status")!;

    /// <summary>Every listed row as the page shows it: txid, status and confirmations, in order.</summary>
    private static string Listed(Page page) => string.Join("\n", page.Document.QuerySelectorAll("#ChainTransactions tbody tr").Select(r =>
    {
        var cell = r.QuerySelector(".tx-confirmations")!;
        return $"{r.GetAttribute("data-txid")} {cell.GetAttribute("data-status")} {cell.GetAttribute("data-confirmations")}";
    }));

    private async Task<string> StateAsync(Browser browser) => $"{await app.SandboxWalletSnapshotAsync()}\n{Listed(await browser.OpenAsync(Wallet))}";

    /// <summary>A coin of <paramref name="key"/> paid by the sandbox faucet through the page, mined when <paramref name="confirmed"/>.</summary>
    private async Task<Coin> CoinAsync(Browser browser, Key key, bool confirmed = false)
    {
        var paid = await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#PayButton",
            ("destination", key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net).ToString()), ("amount", "0.05"));
        var txid = uint256.Parse(paid.Text("#PaidTxId"));
        if (confirmed)
            await browser.SubmitAsync(paid, "#MineButton", ("blocks", "1"));
        return new Coin((await Chain.GetTransactionAsync(txid, CancellationToken.None))!, 0u);
    }

    /// <summary>A spend of the coin to a new address, signed by <paramref name="signer"/> unless null.</summary>
    private static Transaction Spend(Coin coin, Key? signer, long feeSats = 1_000, Action<Transaction>? change = null)
    {
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(coin.Amount - Money.Satoshis(feeSats), NewAddress()));
        change?.Invoke(tx);
        if (signer is not null)
            tx.Sign(signer.GetBitcoinSecret(Net), coin);
        return tx;
    }

    private static Task<Page> BroadcastAsync(Browser browser, Page page, string text) => browser.SubmitAsync(page, "#BroadcastButton", ("transaction", text));

    [Fact]
    public async Task A_signed_transaction_is_broadcast_listed_unconfirmed_and_confirmed_by_a_block()
    {
        var browser = app.NewBrowser();
        var key = new Key();
        var coin = await CoinAsync(browser, key, confirmed: true);
        var tx = Spend(coin, key);
        // Hex as a wallet shows it, in capitals and wrapped over lines.
        var hex = string.Join("\n", tx.ToHex().ToUpperInvariant().Chunk(64).Select(c => new string(c)));

        var sent = await BroadcastAsync(browser, await browser.OpenAsync(Wallet), hex);

        Assert.Null(sent.Find("#SandboxError"));
        Assert.Equal(tx.GetHash().ToString(), sent.Text("#PaidTxId"));
        Assert.Contains("mempool", sent.Text("#WalletNotice"));
        Assert.Equal("mempool", Status(sent, tx.GetHash().ToString()));
        Assert.Equal("0", Row(sent, tx.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations"));
        Assert.Contains("broadcast", Row(sent, tx.GetHash().ToString()).TextContent);
        Assert.Equal(0, Sandbox.Confirmations(tx.GetHash()));

        var mined = await browser.SubmitAsync(sent, "#MineButton", ("blocks", "2"));

        Assert.Equal("2", Row(mined, tx.GetHash().ToString()).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations"));
        Assert.Null(Row(mined, tx.GetHash().ToString()).QuerySelector(".tx-drop"));
        Assert.Empty(app.LoggedErrors);
    }

    [Fact]
    public async Task A_finalized_psbt_is_broadcast_from_base64_or_hex()
    {
        var browser = app.NewBrowser();
        var key = new Key();
        foreach (var asHex in new[] { false, true })
        {
            var coin = await CoinAsync(browser, key);
            var tx = Spend(coin, signer: null);
            var psbt = PSBT.FromTransaction(tx, Net).AddCoins(coin).SignWithKeys(key).Finalize();

            var sent = await BroadcastAsync(browser, await browser.OpenAsync(Wallet), asHex ? psbt.ToHex() : psbt.ToBase64());

            Assert.Null(sent.Find("#SandboxError"));
            Assert.Equal(psbt.ExtractTransaction().GetHash().ToString(), sent.Text("#PaidTxId"));
            Assert.Equal("mempool", Status(sent, sent.Text("#PaidTxId")));
        }
    }

    [Fact]
    public async Task A_bad_broadcast_is_refused_with_the_reason_and_changes_nothing()
    {
        var browser = app.NewBrowser();
        var key = new Key();
        var coin = await CoinAsync(browser, key, confirmed: true);
        var unconfirmed = await CoinAsync(browser, key);
        var accepted = Spend(coin, key);
        Assert.Null((await BroadcastAsync(browser, await browser.OpenAsync(Wallet), accepted.ToHex())).Find("#SandboxError"));
        var fresh = await CoinAsync(browser, key, confirmed: true);
        var height = await Chain.GetHeightAsync(CancellationToken.None);
        var unsigned = Spend(fresh, signer: null);
        var elsewhere = new Coin(new OutPoint(RandomUtils.GetUInt256(), 0), new TxOut(Money.Coins(1), key.PubKey.WitHash.ScriptPubKey));

        var cases = new (string Name, string Text, string Expected)[]
        {
            ("empty", "", "Paste the signed transaction"),
            ("blank lines", " \n\t \n", "Paste the signed transaction"),
            ("words", "please broadcast this", "not a signed transaction"),
            ("a few hex digits", "0200000001", "not a signed transaction"),
            ("an odd number of hex digits", accepted.ToHex()[..^1], "not a signed transaction"),
            ("base64 that is not a PSBT", "SGVsbG8gd29ybGQ=", "not a signed transaction"),
            ("too long", new string('a', Host.Sandbox.SandboxBroadcastInput.MaxChars + 1), "400 kB"),
            ("a transaction with bytes after it", accepted.ToHex() + "00", "not a signed transaction"),
            ("a broken PSBT", "cHNidP8BAA==", "not a signed transaction"),
            ("an unsigned transaction", unsigned.ToHex(), "signatures do not satisfy"),
            ("signed by another key", Spend(fresh, new Key()).ToHex(), "signatures do not satisfy"),
            ("an unsigned PSBT", PSBT.FromTransaction(unsigned, Net).AddCoins(fresh).ToBase64(), "sign and finalize it in your wallet first"),
            ("a signed PSBT not finalized (hex)", PSBT.FromTransaction(unsigned, Net).AddCoins(fresh).SignWithKeys(key).ToHex(), "sign and finalize it in your wallet first"),
            ("a double spend", Spend(coin, key, feeSats: 2_000).ToHex(), "already spent"),
            ("the same transaction again", accepted.ToHex(), "already known"),
            ("locked until a later block", Spend(fresh, key, change: t => t.LockTime = new LockTime(height + 10)).ToHex(), "non-final"),
            ("locked until a date", Spend(fresh, key, change: t => t.LockTime = new LockTime(1_900_000_000)).ToHex(), "lock time by date"),
            ("relative lock on an unconfirmed coin", Spend(unconfirmed, key, change: t => t.Inputs[0].Sequence = 5).ToHex(), "non-BIP68-final"),
            ("coins of another network or chain", Spend(elsewhere, key).ToHex(), "does not exist on this chain"),
            ("no fee", Spend(fresh, key, feeSats: 0).ToHex(), "minimum relay fee"),
            ("paying out more than it spends", Spend(fresh, key, feeSats: -1_000).ToHex(), "pays out more than it spends"),
            ("a dust output", Spend(fresh, key, feeSats: 2_000, change: t => { t.Outputs[0].Value -= Money.Satoshis(100); t.Outputs.Add(new TxOut(Money.Satoshis(100), NewAddress())); }).ToHex(), "dust"),
        };
        var before = await StateAsync(browser);

        foreach (var (name, text, expected) in cases)
        {
            var refused = await BroadcastAsync(browser, await browser.OpenAsync(Wallet), text);

            var error = refused.Find("#SandboxError");
            Assert.True(error is not null, $"{name}: no error shown");
            Assert.Contains(expected, error!.TextContent, StringComparison.Ordinal);
            Assert.True(error.TextContent.Length < 600, $"{name}: {error.TextContent.Length} characters of message");
            Assert.Equal("transaction", error.GetAttribute("data-field"));
            Assert.Contains("is-invalid", refused.Get("#BroadcastTransaction").ClassList);
            Assert.Null(refused.Find("#PaidTxId"));
            Assert.Equal(before, await StateAsync(browser));
        }
        Assert.True(cases.Length >= 15);
        Assert.Empty(app.LoggedErrors);
    }

    [Fact]
    public async Task Dropping_an_unconfirmed_transaction_asks_first_then_drops_it_with_the_transactions_spending_it()
    {
        var browser = app.NewBrowser();
        var key = new Key();
        var coin = await CoinAsync(browser, key);
        var child = Spend(coin, key);
        var page = await BroadcastAsync(browser, await browser.OpenAsync(Wallet), child.ToHex());
        var parent = coin.Outpoint.Hash.ToString();
        var before = await StateAsync(browser);

        var asked = await browser.SubmitAsync(page, $"#ChainTransactions tr[data-txid='{parent}'] .tx-drop");

        Assert.Equal(HttpStatusCode.OK, asked.Status);
        Assert.Equal(parent, asked.Text("#ConfirmTxId"));
        Assert.Contains("expired or another transaction replaced it", asked.Body);
        Assert.Equal(before, await StateAsync(browser));

        var dropped = await browser.SubmitAsync(asked, "#ConfirmDrop");

        Assert.Null(dropped.Find("#SandboxError"));
        Assert.Contains("Dropped from the mempool", dropped.Text("#WalletNotice"));
        Assert.Equal([parent, child.GetHash().ToString()], dropped.Document.QuerySelectorAll("#DroppedTxIds .dropped-txid").Select(e => e.TextContent.Trim()));
        Assert.Equal("dropped", Status(dropped, parent));
        Assert.Equal("dropped", Status(dropped, child.GetHash().ToString()));
        Assert.Null(Row(dropped, parent).QuerySelector(".tx-drop"));
        Assert.Null(Sandbox.Confirmations(coin.Outpoint.Hash));
        Assert.Empty(await Chain.GetCoinsAsync(key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), CancellationToken.None));

        // Mining later confirms neither.
        var mined = await browser.SubmitAsync(dropped, "#MineButton", ("blocks", "1"));
        Assert.Equal("dropped", Status(mined, child.GetHash().ToString()));
        Assert.Empty(app.LoggedErrors);
    }

    [Fact]
    public async Task A_dropped_transaction_broadcast_again_is_listed_live_once_and_dropped_once()
    {
        var browser = app.NewBrowser();
        var key = new Key();
        var coin = await CoinAsync(browser, key, confirmed: true);
        var tx = Spend(coin, key);
        var txid = tx.GetHash().ToString();
        await BroadcastAsync(browser, await browser.OpenAsync(Wallet), tx.ToHex());

        // By the txid field this time, confirmed on the next page.
        var asked = await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#DropButton", ("txid", $"  {txid.ToUpperInvariant()} "));
        var dropped = await browser.SubmitAsync(asked, "#ConfirmDrop");
        Assert.Equal([txid], dropped.Document.QuerySelectorAll("#DroppedTxIds .dropped-txid").Select(e => e.TextContent.Trim()));
        Assert.Single(await Chain.GetCoinsAsync(key.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), CancellationToken.None));

        var again = await BroadcastAsync(browser, dropped, tx.ToHex());

        Assert.Equal(txid, again.Text("#PaidTxId"));
        var rows = again.Document.QuerySelectorAll($"#ChainTransactions tr[data-txid='{txid}'] .tx-confirmations").Select(c => c.GetAttribute("data-status")).ToList();
        Assert.Equal(["mempool", "dropped"], rows);
    }

    [Fact]
    public async Task Dropping_a_confirmed_unknown_or_mistyped_transaction_is_refused_and_changes_nothing()
    {
        var browser = app.NewBrowser();
        var coin = await CoinAsync(browser, new Key(), confirmed: true);
        var before = await StateAsync(browser);

        foreach (var (txid, expected) in new[]
        {
            (coin.Outpoint.Hash.ToString(), "is confirmed"),
            (RandomUtils.GetUInt256().ToString(), "is not on this chain"),
            ("", "64 hexadecimal characters"),
            ("not a txid", "64 hexadecimal characters"),
            (coin.Outpoint.Hash.ToString()[..63], "64 hexadecimal characters"),
            (coin.Outpoint.Hash + "00", "64 hexadecimal characters"),
        })
        {
            foreach (var confirm in new[] { "", "yes" })
            {
                var refused = await browser.FollowAsync(await browser.PostAsync($"{Wallet}/drop", ("txid", txid), ("confirm", confirm)));

                Assert.Contains(expected, refused.Text("#SandboxError"));
                Assert.Equal("txid", refused.Get("#SandboxError").GetAttribute("data-field"));
                Assert.Null(refused.Find("#DroppedTxIds"));
                Assert.Equal(before, await StateAsync(browser));
            }
        }
    }
}
