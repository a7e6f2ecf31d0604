using System.Net;
using AngleSharp.Dom;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The sandbox wallet page: faucet, blocks, transactions with confirmations, and the test-only signer.</summary>
public sealed class SandboxWalletTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private const string Wallet = "/sandbox/wallet";
    private static readonly Network Net = Network.RegTest;

    private static BitcoinAddress NewAddress() => new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);

    private IEscrowChain Chain => app.Services.GetRequiredService<IEscrowChain>();

    private static Task<Page> PayAsync(Browser browser, Page page, string destination, string amount) =>
        browser.SubmitAsync(page, "#PayButton", ("destination", destination), ("amount", amount));

    private static IElement Row(Page page, string txid) => page.Get($"#ChainTransactions tr[data-txid='{txid}']");

    private static int Confirmations(Page page, string txid) => int.Parse(Row(page, txid).QuerySelector(".tx-confirmations")!.GetAttribute("data-confirmations")!);

    private Task<string> StateAsync() => app.SandboxWalletSnapshotAsync();

    [Fact]
    public async Task Paying_an_address_shows_the_transaction_and_mining_confirms_it()
    {
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync(Wallet);
        Assert.NotNull(page.Find("#SandboxBanner"));
        Assert.Contains("Sandbox — no real bitcoin", page.Text("#SandboxWalletNotice"));
        Assert.Equal("regtest", page.Text("#ChainNetwork"));
        var height = int.Parse(page.Get("#ChainHeight").GetAttribute("data-height")!);
        var address = NewAddress();

        var paid = await PayAsync(browser, page, address.ToString(), "0.015");

        var txid = paid.Text("#PaidTxId");
        // Long ids and addresses break anywhere, so the notice and the table fit a phone without scrolling.
        Assert.Contains("text-break", paid.Get("#WalletNotice").ClassList);
        Assert.Contains("escrow-break-all", Row(paid, txid).QuerySelector(".tx-id")!.ClassList);
        Assert.Contains("escrow-break-all", Row(paid, txid).QuerySelector(".tx-paid-to")!.ClassList);
        Assert.Contains("0.01500000 BTC", paid.Text("#WalletNotice"));
        Assert.Equal(0, Confirmations(paid, txid));
        Assert.Contains(address.ToString(), Row(paid, txid).TextContent);
        var coin = Assert.Single(await Chain.GetCoinsAsync(address, CancellationToken.None));
        Assert.Equal((uint256.Parse(txid), 1_500_000L, 0), (coin.OutPoint.Hash, coin.Amount.Satoshi, coin.Confirmations));

        var mined = await browser.SubmitAsync(paid, "#MineButton", ("blocks", "6"));

        Assert.Equal(height + 6, int.Parse(mined.Get("#ChainHeight").GetAttribute("data-height")!));
        Assert.Equal(6, Confirmations(mined, txid));
        Assert.Equal(6, Assert.Single(await Chain.GetCoinsAsync(address, CancellationToken.None)).Confirmations);
        Assert.Empty(app.LoggedErrors);
    }

    [Fact]
    public async Task A_payment_link_is_paid_the_amount_it_asks()
    {
        var browser = app.NewBrowser();
        var address = NewAddress();
        var page = await browser.OpenAsync(Wallet);

        var paid = await PayAsync(browser, page, $"bitcoin:{address.ToString().ToUpperInvariant()}?amount=0.00250000&label=Milestone%201", "");
        var second = await PayAsync(browser, paid, $"bitcoin:{address}?amount=0.001", "0.00100000");

        var coins = await Chain.GetCoinsAsync(address, CancellationToken.None);
        Assert.Equal([100_000L, 250_000L], coins.Select(c => c.Amount.Satoshi).Order());
        Assert.Null(second.Find("#SandboxError"));
    }

    [Fact]
    public async Task Payments_and_blocks_sent_at_the_same_time_are_all_kept_and_replay_to_the_same_chain()
    {
        var addresses = Enumerable.Range(0, 12).Select(_ => NewAddress()).ToList();
        var browsers = addresses.Select(_ => app.NewBrowser()).ToList();
        var pages = await Task.WhenAll(browsers.Select(b => b.OpenAsync(Wallet)));

        await Task.WhenAll(addresses.Select(async (address, i) =>
        {
            var paid = await PayAsync(browsers[i], pages[i], address.ToString(), "0.0001");
            Assert.NotNull(paid.Find("#PaidTxId"));
            await browsers[i].SubmitAsync(paid, "#MineButton", ("blocks", "1"));
        }));

        foreach (var address in addresses)
            Assert.True(Assert.Single(await Chain.GetCoinsAsync(address, CancellationToken.None)).Confirmations >= 1);
        // What a restart would rebuild from the journal is the chain as it is.
        await using var db = await app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Host.Sandbox.SandboxWalletDbContext>>().CreateDbContextAsync();
        var entries = db.ChainRecords.OrderBy(r => r.Id).AsEnumerable()
            .Select(r => new SandboxChainEntry(r.Change, r.TransactionHex is null ? null : Transaction.Parse(r.TransactionHex, Net), r.Blocks)).ToList();
        var replayed = SandboxChain.Replay(Net, entries);
        Assert.Equal(await Chain.GetHeightAsync(CancellationToken.None), replayed.Height);
        foreach (var address in addresses)
            Assert.Single(replayed.UnspentOutputs(address.ScriptPubKey));
    }

    public static TheoryData<string, string, string> BadPayments => new()
    {
        { "", "0.01", "destination" },
        { "not an address", "0.01", "destination" },
        { "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "0.01", "destination" },
        { "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0.01", "destination" },
        { "bitcoin:", "0.01", "destination" },
        { "bitcoin:{address}?req-escrow=1", "0.01", "destination" },
        { "bitcoin:{address}?amount=abc", "", "destination" },
        { "bitcoin:{address}?amount=0.01", "0.02", "amount" },
        { "{address}", "", "amount" },
        { "{address}", "0", "amount" },
        { "{address}", "-0.01", "amount" },
        { "{address}", "0.000000001", "amount" },
        { "{address}", "0.100000000", "amount" },
        { "{address}", "1e-3", "amount" },
        { "{address}", "0,01", "amount" },
        { "{address}", "abc", "amount" },
        { "{address}", "NaN", "amount" },
        { "{address}", "21000000.00000001", "amount" },
        { "{address}", "0.00000100", "amount" },
    };

    [Theory]
    [MemberData(nameof(BadPayments))]
    public async Task A_bad_payment_is_refused_with_a_message_and_pays_nothing(string destination, string amount, string field)
    {
        var browser = app.NewBrowser();
        var address = NewAddress();
        var page = await browser.OpenAsync(Wallet);
        var before = await StateAsync();

        var refused = await PayAsync(browser, page, destination.Replace("{address}", address.ToString()), amount);

        var error = refused.Get("#SandboxError");
        Assert.False(string.IsNullOrWhiteSpace(error.TextContent));
        Assert.Equal(field, error.GetAttribute("data-field"));
        Assert.Null(refused.Find("#PaidTxId"));
        Assert.Equal(before, await StateAsync());
        Assert.Empty(await Chain.GetCoinsAsync(address, CancellationToken.None));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("99999999999")]
    public async Task Mining_a_bad_number_of_blocks_is_refused(string blocks)
    {
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync(Wallet);
        var before = await StateAsync();

        var refused = await browser.SubmitAsync(page, "#MineButton", ("blocks", blocks));

        Assert.Contains("1 to 1000", refused.Text("#SandboxError"));
        Assert.Equal("blocks", refused.Get("#SandboxError").GetAttribute("data-field"));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Posts_without_an_antiforgery_token_are_refused_and_change_nothing()
    {
        var browser = app.NewBrowser();
        await browser.OpenAsync(Wallet);
        var before = await StateAsync();

        foreach (var (url, fields) in new[]
        {
            ($"{Wallet}/pay", new[] { ("destination", NewAddress().ToString()), ("amount", "0.01") }),
            ($"{Wallet}/mine", new[] { ("blocks", "5") }),
            ($"{Wallet}/signer/client/generate", Array.Empty<(string, string)>()),
            ($"{Wallet}/signer/client/sign", new[] { ("psbt", "cHNidP8=") }),
            ($"{Wallet}/psbt/download", new[] { ("psbt", "cHNidP8=") }),
            ($"{Wallet}/broadcast", new[] { ("transaction", "0200000001") }),
            ($"{Wallet}/drop", new[] { ("txid", new string('0', 64)), ("confirm", "yes") }),
        })
        {
            var answer = await browser.PostAsync(url, fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)), antiforgery: false);
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        }
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task The_signers_keys_make_an_escrow_whose_release_they_sign_and_the_chain_confirms()
    {
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync(Wallet);
        foreach (var role in new[] { "client", "freelancer", "agency" })
            page = await browser.SubmitAsync(page, $"#GenerateKey-{role}");
        string KeyOf(string role) => page.Get($"#SignerKey-{role}").GetAttribute("value")!;
        Assert.Matches(@"^\[[0-9a-f]{8}/84'/1'/0'\]tpub", KeyOf("client"));
        Assert.Contains("test-only", page.Text("#Signer"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tprv", page.Body);

        // The keys as the escrow reads them: one 2-of-3 address per milestone.
        var keys = EscrowKeySet.Parse(KeyOf("client"), KeyOf("freelancer"), KeyOf("agency"), Net).Unwrap();
        var escrow = new MilestoneEscrow(keys, 3);
        var funded = await browser.SubmitAsync(page, "#PayButton", ("destination", $"bitcoin:{escrow.Address}?amount=0.01"), ("amount", ""));
        await browser.SubmitAsync(funded, "#MineButton", ("blocks", "1"));
        var coin = Assert.Single(await Chain.GetCoinsAsync(escrow.Address, CancellationToken.None));
        var fundingTx = await Chain.GetTransactionAsync(coin.OutPoint.Hash, CancellationToken.None);
        var payees = new Payees(NewAddress(), NewAddress(), NewAddress());
        var round = EscrowSpends.Propose(escrow, [coin.ToEscrowCoin(fundingTx)], SpendDecision.Release(Money.Satoshis(20_000)), payees, 3m).Unwrap();

        // The client pastes the PSBT; the freelancer uploads it as a binary file and downloads the result.
        var byClient = await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#SignButton-client", ("psbt", round.IssuedPsbt));
        Assert.Equal("1", byClient.Text("#SignedCount"));
        var clientCopy = byClient.Get("#SignedPsbt").TextContent.Trim();
        var afterClient = round.Accept(clientCopy).Unwrap();
        Assert.Equal([EscrowRole.Client], afterClient.NewSigners);

        var byFreelancer = await UploadAsync(browser, await browser.OpenAsync(Wallet), "freelancer", PSBT.Parse(round.IssuedPsbt, Net).ToBytes());
        var download = await browser.SubmitNoFollowAsync(byFreelancer, "#DownloadSignedPsbt");
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal("application/octet-stream", download.ContentType);
        var file = await download.Response.Content.ReadAsByteArrayAsync();
        Assert.Equal(byFreelancer.Get("#SignedPsbt").TextContent.Trim(), Convert.ToBase64String(file));
        var signed = afterClient.Round.Accept(file).Unwrap();
        Assert.Equal([EscrowRole.Freelancer], signed.NewSigners);

        var release = signed.Round.Finalise().Unwrap();
        var broadcast = await Chain.BroadcastAsync(release.Transaction, CancellationToken.None);
        Assert.True(broadcast.Accepted, broadcast.Refusal);
        var mined = await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#MineButton", ("blocks", "2"));
        Assert.Equal(2, Confirmations(mined, release.TxId.ToString()));
        Assert.Contains("broadcast", Row(mined, release.TxId.ToString()).TextContent);
        Assert.Empty(await Chain.GetCoinsAsync(escrow.Address, CancellationToken.None));
    }

    [Fact]
    public async Task A_bad_psbt_is_refused_with_a_message_and_nothing_is_signed()
    {
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync(Wallet);
        page = await browser.SubmitAsync(page, "#GenerateKey-client");
        var before = await StateAsync();
        // A PSBT for keys the sandbox signer does not hold.
        var strangers = Enumerable.Range(0, 3).Select(_ => new ExtKey()).ToList();
        var foreign = EscrowKeySet.Parse(
            $"[{strangers[0].GetPublicKey().GetHDFingerPrint()}/84'/1'/0']{strangers[0].Derive(new KeyPath("84'/1'/0'")).Neuter().GetWif(Net)}",
            $"[{strangers[1].GetPublicKey().GetHDFingerPrint()}/84'/1'/0']{strangers[1].Derive(new KeyPath("84'/1'/0'")).Neuter().GetWif(Net)}",
            $"[{strangers[2].GetPublicKey().GetHDFingerPrint()}/84'/1'/0']{strangers[2].Derive(new KeyPath("84'/1'/0'")).Neuter().GetWif(Net)}", Net).Unwrap();
        var foreignEscrow = new MilestoneEscrow(foreign, 0);
        var outpoint = new OutPoint(uint256.One, 0);
        var foreignPsbt = EscrowSpends.Propose(foreignEscrow, [new EscrowCoin(outpoint, Money.Satoshis(500_000), null)], SpendDecision.RefundClient(),
            new Payees(NewAddress(), NewAddress()), 2m).Unwrap().IssuedPsbt;

        foreach (var bad in new[] { "", "   ", "not a psbt", "cHNidP8=", "cHNidP8BAA==", Convert.ToBase64String(new byte[300]), "0200000001", foreignPsbt, new string('A', 250_000) })
        {
            var refused = await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#SignButton-client", ("psbt", bad));
            Assert.False(string.IsNullOrWhiteSpace(refused.Find("#SandboxError")?.TextContent), $"No error for '{bad[..Math.Min(bad.Length, 30)]}'");
            Assert.Equal("psbt-client", refused.Get("#SandboxError").GetAttribute("data-field"));
            Assert.Null(refused.Find("#SignedPsbt"));
        }
        var garbageFile = await UploadAsync(browser, await browser.OpenAsync(Wallet), "client", [0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0x02]);
        Assert.Null(garbageFile.Find("#SignedPsbt"));
        Assert.Contains("not a PSBT", garbageFile.Text("#SandboxError"));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"{Wallet}/signer/nobody/sign", ("psbt", foreignPsbt))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"{Wallet}/signer/nobody/generate")).Status);
        Assert.Equal(before, await StateAsync());
    }

    /// <summary>Signs with the role's key by uploading <paramref name="file"/> as the PSBT file, as a browser sends a form with a file.</summary>
    private static async Task<Page> UploadAsync(Browser browser, Page page, string role, byte[] file)
    {
        var form = page.Get($"#SignForm-{role}");
        var content = new MultipartFormDataContent
        {
            { new StringContent(form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken" },
            { new StringContent(""), "psbt" },
            { new ByteArrayContent(file), "psbtFile", "escrow.psbt" },
        };
        return await browser.FollowAsync(await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(page.Url, form.GetAttribute("action")!)) { Content = content }));
    }
}

/// <summary>A host whose sandbox signer has no key yet.</summary>
public sealed class SandboxSignerWithoutKeysTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task A_role_without_a_key_has_nothing_to_sign_with()
    {
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync("/sandbox/wallet");
        Assert.NotNull(page.Find("#NoSignerKey-freelancer"));
        Assert.Null(page.Find("#SignButton-freelancer"));

        var refused = await browser.FollowAsync(await browser.PostAsync("/sandbox/wallet/signer/freelancer/sign", ("psbt", "cHNidP8BAA==")));

        Assert.Contains("no sandbox key", refused.Text("#SandboxError"));
        Assert.NotNull(refused.Find("#NoSignerKey-freelancer"));
    }
}
