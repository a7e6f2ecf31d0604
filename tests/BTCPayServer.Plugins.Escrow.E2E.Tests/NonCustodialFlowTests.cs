using System.Globalization;
using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using NBitcoin;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class NonCustodialFlowTests(EscrowHost host)
{
    private static readonly Network Net = Network.RegTest;

    /// <summary>A party's wallet, as the test holds it: an HD key exported with its origin, and a receive address.</summary>
    private sealed class Wallet
    {
        private readonly ExtKey _master = new();

        private ExtKey Account => _master.Derive(new KeyPath("84'/1'/0'"));
        public HDFingerprint Fingerprint => _master.GetPublicKey().GetHDFingerPrint();
        public string Exported => $"[{Fingerprint}/84'/1'/0']{Account.Neuter().GetWif(Net)}";
        public string Payout { get; } = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net).ToString();

        /// <summary>Signs every input the PSBT says this wallet's key (by its fingerprint) can sign, as a wallet would.</summary>
        public string Sign(string psbtBase64)
        {
            var psbt = PSBT.Parse(psbtBase64, Net);
            var signed = 0;
            foreach (var input in psbt.Inputs)
                foreach (var (_, path) in input.HDKeyPaths)
                    if (path.MasterFingerprint == Fingerprint)
                    {
                        input.Sign(_master.Derive(path.KeyPath).PrivateKey);
                        signed++;
                    }
            Assert.True(signed > 0, $"The PSBT names no key of wallet {Fingerprint}.");
            return psbt.ToBase64();
        }
    }

    /// <summary>
    /// Issue 15's browser flow: the agency's key in the settings, a BTC contract in non-custodial mode, both parties'
    /// keys and payout addresses, the refund pre-signed by freelancer and agency against the client's prepared funding,
    /// the milestone funded by broadcasting that prepared funding, signed, from the sandbox wallet page and confirmed by a mined block, delivery approved, the release signed
    /// in-test by client and freelancer (as their wallets would) and uploaded, and the release confirmed on the chain.
    /// </summary>
    [Fact]
    public async Task A_non_custodial_milestone_is_refund_protected_funded_from_the_sandbox_wallet_and_released_by_both_signatures()
    {
        await using var s = E2ESession.Start(host);
        Wallet clientWallet = new(), freelancerWallet = new(), agencyWallet = new();

        // The agency's key (from its own wallet) in the escrow settings.
        var agency = await s.SignInAsync();
        await s.GotoAsync(agency, $"{s.StaffBase}/settings", "settings");
        await agency.FillAsync("#AgencyKey", agencyWallet.Exported);
        await agency.FillAsync("#AgencyPayoutAddress", agencyWallet.Payout);
        await s.ClickAsync(agency, agency.Locator("#SaveSettings"), "settings-agency-key-saved");
        await Expect(agency.Locator("#SettingsSaved")).ToBeVisibleAsync();
        // Stored as given, the origin written with h for hardened steps: [fingerprint/84h/1h/0h]tpub…
        await Expect(agency.Locator("#AgencyKey")).ToHaveValueAsync(agencyWallet.Exported.Replace("'", "h"));

        var today = DateOnly.FromDateTime((await host.SandboxNowAsync()).UtcDateTime);
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Multisig logo design",
            "BTC",
            "0.01000000 BTC",
            [new MilestoneSpec("Logo", "0.01", "Logo in three variants", today.AddDays(30))],
            NonCustodial: true));

        // Each party gives its wallet's key and a payout address, then accepts.
        var client = await OpenWithKeyAndAcceptAsync(s, "client", contract, clientWallet);
        var freelancer = await OpenWithKeyAndAcceptAsync(s, "freelancer", contract, freelancerWallet);
        await Expect(freelancer.Locator("#ContractState")).ToHaveAttributeAsync("data-state", "Active");

        // The escrow address and its descriptor appear once the worker has made them.
        var escrowCard = client.Locator("#EscrowMilestone1");
        await WaitForAsync(s, client, escrowCard.Locator(".escrow-address"), "client-escrow-address");
        var address = (await escrowCard.Locator(".escrow-address").InnerTextAsync()).Trim();
        await Expect(escrowCard.Locator(".escrow-descriptor")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^wsh\(sortedmulti\(2,.*\)\)#[a-z0-9]{8}$"));
        await Expect(escrowCard.Locator("h5")).ToContainTextAsync("0.01000000 BTC");
        await Expect(escrowCard.Locator(".bip21-prepare")).ToHaveTextAsync($"bitcoin:{address}?amount=0.01");
        await Expect(client.Locator(".fund-milestone")).ToHaveCountAsync(0);

        // The client's own coin: the sandbox wallet page pays 0.011 BTC to a key of the client's wallet.
        var hot = new Key();
        var hotAddress = hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net);
        var wallet = await client.Context.NewPageAsync();
        await s.GotoAsync(wallet, "/sandbox/wallet", "sandbox-wallet");
        await Expect(wallet.Locator("#ChainNetwork")).ToHaveTextAsync("regtest");
        var sourceTxId = await PayFromSandboxWalletAsync(s, wallet, hotAddress.ToString(), "0.011", "sandbox-wallet-paid-client-coin");
        await MineAsync(s, wallet, "sandbox-wallet-client-coin-mined");

        // The client prepares (does not sign) the funding in its wallet and uploads the PSBT.
        var source = new Coin(new OutPoint(uint256.Parse(sourceTxId), 0), new TxOut(Money.Satoshis(1_100_000), hotAddress));
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(source.Outpoint) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(Money.Satoshis(1_000_000), BitcoinAddress.Create(address, Net)));
        tx.Outputs.Add(new TxOut(Money.Satoshis(99_000), hotAddress));
        var funding = PSBT.FromTransaction(tx, Net).AddCoins(source);
        await s.RefreshAsync(client, "client-before-preparing-funding");
        await UploadAsync(s, client, escrowCard.Locator(".funding-form"), funding.ToBase64(), "client-funding-prepared");
        await Expect(client.Locator("#EscrowError")).ToHaveCountAsync(0);
        await Expect(client.Locator("#EscrowMilestone1 .refund-status")).ToContainTextAsync("still needed");
        await Expect(client.Locator("#EscrowMilestone1")).ToContainTextAsync("Do not send the funding yet");

        // The freelancer downloads the refund, signs it in its wallet and uploads the signature.
        await s.RefreshAsync(freelancer, "freelancer-refund-to-sign");
        var freelancerRefund = freelancer.Locator("#EscrowMilestone1");
        var refundPsbt = PsbtText(await DownloadAsync(freelancer, freelancerRefund.Locator(".refund-download")));
        await UploadAsync(s, freelancer, freelancerRefund.Locator(".refund-form"), freelancerWallet.Sign(refundPsbt), "freelancer-signed-refund");
        await Expect(freelancer.Locator("#EscrowError")).ToHaveCountAsync(0);
        await Expect(freelancer.Locator("#EscrowMilestone1 .refund-status")).ToContainTextAsync("signed by the freelancer");

        // The agency does the same on the contract's staff page.
        await s.GotoAsync(agency, contract.Url, "agency-refund-to-sign");
        var staffEscrow = agency.Locator(".staff-escrow-milestone").First;
        var agencyRefundPsbt = PsbtText(await DownloadAsync(agency, staffEscrow.GetByRole(AriaRole.Link, new() { Name = "Download the refund PSBT" })));
        await UploadAsync(s, agency, staffEscrow.Locator(".staff-refund-form"), agencyWallet.Sign(agencyRefundPsbt), "agency-refund-confirm");
        // Signing is irreversible: the agency is shown what the refund pays, and from which block, before it counts.
        await Expect(agency.Locator("#ConfirmHeading")).ToHaveTextAsync("Sign the refund of milestone 1 with the agency's key?");
        await s.ClickAsync(agency, agency.Locator("#ConfirmAct"), "agency-signed-refund");
        await Expect(agency.Locator("#EscrowError")).ToHaveCountAsync(0);
        await Expect(agency.Locator(".staff-escrow-milestone").First).ToContainTextAsync("Refund signed");

        // The client keeps the signed refund (a transaction spending the prepared funding), then sees where to pay.
        await s.RefreshAsync(client, "client-refund-ready");
        await Expect(escrowCard.Locator(".refund-status")).ToContainTextAsync("signed and verified");
        var refundFile = await DownloadAsync(client, escrowCard.Locator(".refund-download"));
        var refund = Transaction.Parse(System.Text.Encoding.ASCII.GetString(refundFile).Trim(), Net);
        Assert.Equal(new OutPoint(tx, 0), refund.Inputs[0].PrevOut);
        Assert.Equal(clientWallet.Payout, refund.Outputs.Single().ScriptPubKey.GetDestinationAddress(Net)!.ToString());
        await Expect(escrowCard.Locator(".funding-txid")).ToHaveTextAsync(tx.GetHash().ToString());
        await Expect(escrowCard.Locator(".bip21")).ToHaveCountAsync(0);

        // The client signs the prepared funding in its wallet and broadcasts that very transaction (the refund spends it)
        // with the sandbox wallet page's broadcast form.
        funding.SignWithKeys(hot).Finalize();
        Assert.True(funding.CanExtractTransaction());
        Assert.Equal(tx.GetHash(), funding.ExtractTransaction().GetHash());
        await s.GotoAsync(wallet, "/sandbox/wallet", "sandbox-wallet-before-funding");
        var fundingTxId = await BroadcastFromSandboxWalletAsync(s, wallet, funding.ExtractTransaction().ToHex(), "sandbox-wallet-paid-escrow");
        Assert.Equal(tx.GetHash().ToString(), fundingTxId);
        await Expect(wallet.Locator($"#ChainTransactions tr[data-txid='{fundingTxId}'] .tx-paid-to")).ToContainTextAsync(address);
        await MineAsync(s, wallet, "sandbox-wallet-funding-mined");
        await Expect(wallet.Locator($"#ChainTransactions tr[data-txid='{fundingTxId}'] .tx-confirmations")).ToHaveAttributeAsync("data-confirmations", "1");

        // The worker sees the confirmed funding: the milestone is funded.
        await WaitForAttributeAsync(s, client, "#Milestone1", "data-state", "Funded", "client-milestone-funded");
        await s.RefreshAsync(freelancer, "freelancer-milestone-funded");
        await Expect(E2ESession.Milestone(freelancer, 1)).ToHaveAttributeAsync("data-state", "Funded");

        // Delivered and approved: the release is a transaction for client and freelancer to sign.
        await s.SubmitAsync(freelancer, 1, "Logo in three variants attached.", "https://example.com/logo", "freelancer-submitted");
        await s.RefreshAsync(client, "client-sees-delivery");
        await s.ClickAsync(client, E2ESession.Milestone(client, 1).Locator(".approve-milestone"), "client-confirms-approval");
        await s.ClickAsync(client, client.Locator("#ConfirmButton"), "client-approved");
        await Expect(client.Locator("#EscrowError")).ToHaveCountAsync(0);

        // The agency's list while the release waits for signatures: the row says so, and its longer state still fits a
        // 1280 px window beside BTCPay's sidebar (the width check of AssertNoProblems, at the end).
        await s.GotoAsync(agency, s.StaffBase, "agency-list-release-to-sign");
        var listRow = agency.Locator("#ContractList tbody tr", new() { Has = agency.Locator($"a[href$='{contract.Id}']") });
        await Expect(listRow.Locator(".contract-state")).ToContainTextAsync("Paying out");

        foreach (var (page, who, wallet_) in new[] { (client, "client", clientWallet), (freelancer, "freelancer", freelancerWallet) })
        {
            var spend = page.Locator(".escrow-spend").First;
            await WaitForAsync(s, page, spend.Locator(".spend-download"), $"{who}-release-to-sign");
            await Expect(spend.Locator(".spend-figures")).ToContainTextAsync("still needed");
            var shownPsbt = (await spend.Locator("textarea[readonly]").InputValueAsync()).Trim();
            var spendPsbt = PsbtText(await DownloadAsync(page, spend.Locator(".spend-download")));
            // The text shown and the file are the same transaction to sign. Not always byte for byte: the page reloads
            // itself when the other party's signature arrives, so the file may already carry a signature the text did not.
            Assert.Equal(PSBT.Parse(shownPsbt, Net).GetGlobalTransaction().GetHash(), PSBT.Parse(spendPsbt, Net).GetGlobalTransaction().GetHash());
            await UploadAsync(s, page, spend.Locator(".spend-form"), wallet_.Sign(spendPsbt), $"{who}-confirms-signature");
            await Expect(page.Locator("#ConfirmHeading")).ToHaveTextAsync("Upload your signature on this transaction?");
            await s.ClickAsync(page, page.Locator("#ConfirmButton"), $"{who}-signed-release");
            await Expect(page.Locator("#EscrowError")).ToHaveCountAsync(0);
        }

        // Both signatures: the release is sent; a mined block confirms it.
        await WaitForAttributeAsync(s, freelancer, ".escrow-spend", "data-status", "Broadcast", "freelancer-release-broadcast");
        await s.GotoAsync(wallet, "/sandbox/wallet", "sandbox-wallet-release-in-mempool");
        await MineAsync(s, wallet, "sandbox-wallet-release-mined");
        await WaitForAttributeAsync(s, freelancer, ".escrow-spend", "data-status", "Confirmed", "freelancer-release-confirmed");
        await Expect(freelancer.Locator(".escrow-spend")).ToContainTextAsync("Confirmed on chain");
        await Expect(E2ESession.Milestone(freelancer, 1)).ToHaveAttributeAsync("data-state", "Released");
        var releaseTxId = (await freelancer.Locator(".escrow-spend .font-monospace").First.InnerTextAsync()).Trim();
        await s.GotoAsync(wallet, "/sandbox/wallet", "sandbox-wallet-release-confirmed");
        var releaseRow = wallet.Locator($"#ChainTransactions tr[data-txid='{releaseTxId}']");
        await Expect(releaseRow.Locator(".tx-confirmations")).ToHaveAttributeAsync("data-confirmations", "1");
        await Expect(releaseRow).ToContainTextAsync(freelancerWallet.Payout);
        await s.RefreshAsync(client, "client-release-confirmed");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "Released");
        await s.GotoAsync(agency, contract.Url, "agency-release-confirmed");
        await Expect(agency.Locator(".staff-escrow-spend")).ToHaveAttributeAsync("data-status", "Confirmed");
        s.AssertNoProblems();
    }

    private static async Task<IPage> OpenWithKeyAndAcceptAsync(E2ESession s, string who, DraftedContract contract, Wallet wallet)
    {
        var link = who == "client" ? contract.ClientLink : contract.FreelancerLink;
        var party = await s.NewPageAsync(who);
        await s.GotoAsync(party, link, $"{who}-terms");
        await Expect(party.Locator("#PartyRole")).ToHaveTextAsync(who);
        await Expect(party.Locator("#NonCustodialEscrow")).ToBeVisibleAsync();
        await party.FillAsync("#EscrowKey", wallet.Exported);
        await party.FillAsync("#EscrowPayoutAddress", wallet.Payout);
        await s.ClickAsync(party, party.Locator("#SaveEscrowKey"), $"{who}-key-saved");
        await Expect(party.Locator("#EscrowError")).ToHaveCountAsync(0);
        await Expect(party.Locator($"#EscrowKeys .escrow-key[data-role={char.ToUpperInvariant(who[0]) + who[1..]}]")).ToContainTextAsync(wallet.Fingerprint.ToString());
        await Expect(party.Locator("#OfferedHash")).ToHaveTextAsync(contract.TermsHash);
        await s.ClickAsync(party, party.Locator("#AcceptTerms"), $"{who}-accepted");
        await Expect(party.Locator("#EscrowNotice")).ToHaveTextAsync("You accepted the terms.");
        return party;
    }

    /// <summary>Pays from the sandbox faucet on the wallet page and returns the transaction id it shows.</summary>
    private static async Task<string> PayFromSandboxWalletAsync(E2ESession s, IPage wallet, string destination, string amount, string shot)
    {
        await wallet.FillAsync("#PayDestination", destination);
        await wallet.FillAsync("#PayAmount", amount);
        await s.ClickAsync(wallet, wallet.Locator("#PayButton"), shot);
        return await SentTxIdAsync(wallet);
    }

    /// <summary>Broadcasts a signed transaction with the wallet page's form and returns the transaction id it shows.</summary>
    private static async Task<string> BroadcastFromSandboxWalletAsync(E2ESession s, IPage wallet, string transactionHex, string shot)
    {
        await wallet.FillAsync("#BroadcastTransaction", transactionHex);
        await s.ClickAsync(wallet, wallet.Locator("#BroadcastButton"), shot);
        return await SentTxIdAsync(wallet);
    }

    /// <summary>The transaction id the wallet page shows after a payment or a broadcast, checked to be listed in the mempool.</summary>
    private static async Task<string> SentTxIdAsync(IPage wallet)
    {
        await Expect(wallet.Locator("#SandboxError")).ToHaveCountAsync(0);
        var txid = (await wallet.Locator("#PaidTxId").InnerTextAsync()).Trim();
        await Expect(wallet.Locator($"#ChainTransactions tr[data-txid='{txid}'] .tx-confirmations")).ToHaveAttributeAsync("data-confirmations", "0");
        return txid;
    }

    private static async Task MineAsync(E2ESession s, IPage wallet, string shot)
    {
        var height = int.Parse((await wallet.Locator("#ChainHeight").GetAttributeAsync("data-height"))!, CultureInfo.InvariantCulture);
        await wallet.FillAsync("#MineBlocks", "1");
        await s.ClickAsync(wallet, wallet.Locator("#MineButton"), shot);
        await Expect(wallet.Locator("#SandboxError")).ToHaveCountAsync(0);
        await Expect(wallet.Locator("#ChainHeight")).ToHaveAttributeAsync("data-height", (height + 1).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Clicks a download link and returns the file's bytes (the browser's download, as a person saves it).</summary>
    private static async Task<byte[]> DownloadAsync(IPage page, ILocator link)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>A PSBT file as a wallet may save it: binary (magic "psbt\xff") or base64 text.</summary>
    private static string PsbtText(byte[] file) =>
        file.Length > 5 && file[0] == 0x70 && file[1] == 0x73 && file[2] == 0x62 && file[3] == 0x74 && file[4] == 0xff
            ? Convert.ToBase64String(file)
            : System.Text.Encoding.ASCII.GetString(file).Trim();

    /// <summary>
    /// Pastes a PSBT into a form's text field and sends it. The party page reloads itself when its contract changes, which
    /// can empty the field between filling and sending: then it is filled again.
    /// </summary>
    private static async Task UploadAsync(E2ESession s, IPage page, ILocator form, string psbt, string shot)
    {
        var field = form.Locator("textarea[name=psbt]");
        for (var attempt = 0; ; attempt++)
        {
            await page.WaitForLoadStateAsync(LoadState.Load);
            await field.FillAsync(psbt);
            if (await field.InputValueAsync() == psbt || attempt == 3)
                break;
        }
        await s.ClickAsync(page, form.Locator("button"), shot);
    }

    /// <summary>Waits for something the worker makes (the page polls and reloads itself; a reload is made as well to be sure).</summary>
    private static async Task WaitForAsync(E2ESession s, IPage page, ILocator what, string shot)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await what.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1_000);
            if (await what.CountAsync() == 0)
                await s.RefreshAsync(page, shot + "-waiting");
        }
        await Expect(what.First).ToBeVisibleAsync();
        await s.ShotAsync(page, shot);
    }

    private static async Task WaitForAttributeAsync(E2ESession s, IPage page, string selector, string attribute, string value, string shot)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var current = await page.Locator(selector).First.GetAttributeAsync(attribute, new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
            if (current == value)
                break;
            await Task.Delay(1_000);
            await s.RefreshAsync(page, shot + "-waiting");
        }
        await Expect(page.Locator(selector).First).ToHaveAttributeAsync(attribute, value);
        await s.ShotAsync(page, shot);
    }
}
