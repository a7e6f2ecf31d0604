using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The standalone host with a sandbox chain, as the host registers it (a singleton <see cref="IEscrowChain"/>).</summary>
public sealed class NonCustodialApp : EscrowApp
{
    public SandboxChain Chain { get; } = new(Network.RegTest, height: 500);

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IEscrowChain>(new SandboxEscrowChain(Chain));

    /// <summary>What the host's escrow worker does on its next round for the chain.</summary>
    public async Task WatchChainAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EscrowChainWatcher>().RunAsync(CancellationToken.None);
    }
}

/// <summary>
/// The non-custodial mode through the pages: the draft's mode, the agency key in the settings, each party's key, the
/// escrow address and descriptor to check, the refund signed before funding, the release signed by both parties in
/// their own wallets (keys generated here) and confirmed on the sandbox chain; bad input named, nothing stored.
/// </summary>
public sealed partial class NonCustodialPageTests(NonCustodialApp app) : IClassFixture<NonCustodialApp>
{
    private static readonly Network Net = Network.RegTest;
    private readonly Flow _flow = new(app);

    private readonly TestWallet _client = new(201, Net), _freelancer = new(202, Net), _agency = new(203, Net);

    private async Task SetAgencyKeyAsync(Browser staff)
    {
        var settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
        var saved = await staff.SubmitAsync(settings, "#SaveSettings", ("AgencyKey", _agency.Exported), ("AgencyPayoutAddress", _agency.Payout));
        var stored = await app.Services.GetRequiredService<Core.Ports.IStoreSettingsStore>().GetAsync(EscrowApp.StoreId, CancellationToken.None);
        Assert.True(stored.AgencyKey == _agency.Exported, $"The agency key was not saved: {saved.VisibleText[..Math.Min(2000, saved.VisibleText.Length)]}");
    }

    private async Task<ContractAtHand> ProposedAsync(Browser staff, string title)
    {
        await SetAgencyKeyAsync(staff);
        return await _flow.ProposedAsync(staff, ContractForm.Valid(title, "BTC", "0.01").With("Form.Custody", "NonCustodial"));
    }

    [Fact]
    public async Task A_milestone_is_funded_to_its_multisig_address_after_the_refund_is_signed_and_released_by_both_parties_signatures()
    {
        var staff = await app.StaffAsync();
        var c = await ProposedAsync(staff, "Non-custodial flow");
        Assert.Equal(CustodyMode.NonCustodial, (await app.ContractAsync(c.Id)).Custody);

        // Keys first: accepting without one is refused with the reason.
        var refused = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#AcceptTerms");
        Assert.Contains("key", refused.Text("#EscrowError"));
        await GiveKeysAndAcceptAsync(c);

        // The address and the descriptor (with its checksum) to check on a device.
        var clientPage = await c.Client.OpenAsync(c.ClientUrl);
        var address = clientPage.Text("#EscrowMilestone1 .escrow-address");
        var descriptor = clientPage.Text("#EscrowMilestone1 .escrow-descriptor");
        Assert.Matches(@"^wsh\(sortedmulti\(2,.*\)\)#[a-z0-9]{8}$", descriptor);
        Assert.Contains("0.01000000 BTC", clientPage.Text("#EscrowMilestone1 h5"));
        Assert.Contains($"bitcoin:{address}?amount=0.01", clientPage.Text("#EscrowMilestone1 .bip21-prepare"));
        Assert.Null(clientPage.Find(".fund-milestone"));
        // Each party's next step follows the funding's three steps (not the custodial "Fund milestone 1").
        Assert.StartsWith("Next step: Prepare the payment of milestone 1 (0.01000000 BTC) in your wallet, unsigned", clientPage.Text("#NextStep"));
        Assert.StartsWith("Next step: Waiting for Alice Client to prepare the funding of milestone 1", (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Text("#NextStep"));

        // The client prepares the funding; freelancer and agency sign the refund against it.
        var (tx, funding, hot) = PrepareFunding(address);
        AssertFileInputsLabelled(clientPage);
        var proposed = await c.Client.SubmitAsync(clientPage, "#EscrowMilestone1 .funding-form button", ("psbt", funding.ToBase64()));
        Assert.Null(proposed.Find("#EscrowError"));

        var freelancerPage = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        AssertFileInputsLabelled(freelancerPage);
        Assert.StartsWith("Next step: Sign the refund of milestone 1 in your wallet", freelancerPage.Text("#NextStep"));
        Assert.StartsWith("Next step: Waiting for the freelancer and the agency to sign the refund of milestone 1. Don't send the funding yet.",
            (await c.Client.OpenAsync(c.ClientUrl)).Text("#NextStep"));
        AssertFileInputsLabelled(await staff.OpenAsync(Urls.Contract(c.Id)));
        await SignRefundAsync(staff, c);
        Assert.StartsWith($"Next step: Sign and send, in your wallet, the funding of milestone 1 you prepared (transaction {tx.GetHash()})",
            (await c.Client.OpenAsync(c.ClientUrl)).Text("#NextStep"));
        Assert.StartsWith("Next step: Waiting for Alice Client to send the funding of milestone 1", (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Text("#NextStep"));

        clientPage = await c.Client.OpenAsync(c.ClientUrl);
        var signedRefund = await c.Client.GetAsync(clientPage.Get("#EscrowMilestone1 .refund-download").GetAttribute("href")!);
        var refund = Transaction.Parse(signedRefund.Body.Trim(), Net);
        Assert.Equal(new OutPoint(tx, 0), refund.Inputs[0].PrevOut);
        // Step 2 names the prepared transaction to send (no payment link: a new payment would be another transaction).
        Assert.Equal(tx.GetHash().ToString(), clientPage.Text("#EscrowMilestone1 .funding-txid"));
        Assert.Null(clientPage.Find("#EscrowMilestone1 .bip21"));

        // The client signs and sends the funding; the escrow sees it confirmed.
        await SendFundingAsync(c, funding, hot);

        // Delivered, approved: a release transaction for client and freelancer to sign.
        await _flow.SubmitDeliverableAsync(c, 1);
        var confirm = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .approve-milestone");
        var approved = await c.Client.SubmitAsync(confirm, "#ConfirmButton");
        Assert.Contains("you and the freelancer each sign it", approved.VisibleText);
        Assert.DoesNotContain("on its way", approved.VisibleText);
        Assert.Contains("no one holds the money alone", approved.VisibleText);
        await app.WatchChainAsync();
        clientPage = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Contains("still needed: the client and the freelancer", clientPage.Text(".escrow-spend .spend-figures"));
        // The next step is the signature, not "nothing left to do" (the ledger already counts the release as decided).
        Assert.StartsWith("Next step: Sign the release transaction of milestone 1 in your wallet", clientPage.Text("#NextStep"));
        // The milestone is decided, not paid: its badge says what the money waits for.
        Assert.Equal("released — signatures pending", clientPage.Text("#Milestone1 .milestone-state"));
        var spendPsbt = clientPage.Get(".escrow-spend textarea[readonly]").TextContent.Trim();
        AssertFileInputsLabelled(clientPage);

        // A PSBT that is not one is refused, naming it; nothing is stored.
        var bad = await c.Client.SubmitAsync(clientPage, ".escrow-spend .spend-form button", ("psbt", "not a psbt"));
        Assert.Contains("PSBT", bad.Text("#EscrowError"), StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await app.ContractAsync(c.Id)).NonCustodial.Spends[0].Round.SignedBy);

        foreach (var (browser, url, wallet) in new[] { (c.Client, c.ClientUrl, _client), (c.Freelancer, c.FreelancerUrl, _freelancer) })
        {
            var page = await browser.OpenAsync(url);
            var asked = await browser.SubmitAsync(page, ".escrow-spend .spend-form button", ("psbt", wallet.Sign(spendPsbt)));
            Assert.Equal("Upload your signature on this transaction?", asked.Text("#ConfirmHeading"));
            var done = await browser.SubmitAsync(asked, "#ConfirmButton");
            Assert.Null(done.Find("#EscrowError"));
            if (browser == c.Client)
                Assert.StartsWith("Next step: Waiting for the freelancer to sign the release transaction of milestone 1", (await c.Client.OpenAsync(c.ClientUrl)).Text("#NextStep"));
        }
        Assert.Equal(EscrowSpendStatus.Broadcast, (await app.ContractAsync(c.Id)).NonCustodial.Spends[0].Status);
        Assert.Equal("released — waiting for a confirmation", (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Text("#Milestone1 .milestone-state"));
        app.Chain.Mine();
        await app.WatchChainAsync();

        var contract = await app.ContractAsync(c.Id);
        Assert.Equal(EscrowSpendStatus.Confirmed, contract.NonCustodial.Spends[0].Status);
        Assert.Equal(MilestoneState.Released, contract.Milestones[0].State);
        Assert.Single(app.Chain.UnspentOutputs(BitcoinAddress.Create(_freelancer.Payout, Net).ScriptPubKey));
        var paidPage = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Equal("Confirmed", paidPage.Get(".escrow-spend").GetAttribute("data-status"));
        Assert.Equal("released", paidPage.Text("#Milestone1 .milestone-state"));
    }

    private async Task GiveKeysAndAcceptAsync(ContractAtHand c)
    {
        foreach (var (browser, url, wallet) in new[] { (c.Client, c.ClientUrl, _client), (c.Freelancer, c.FreelancerUrl, _freelancer) })
        {
            var saved = await browser.SubmitAsync(await browser.OpenAsync(url), "#SaveEscrowKey", ("key", wallet.Exported), ("payoutAddress", wallet.Payout));
            Assert.Null(saved.Find("#EscrowError"));
            await _flow.AcceptAsync(browser, url);
        }
        await app.WatchChainAsync();
    }

    /// <summary>What the client's wallet prepares: 0.01 BTC to the escrow address from a coin of its own, not signed.</summary>
    private (Transaction Tx, PSBT Funding, Key Hot) PrepareFunding(string address)
    {
        var hot = new Key();
        var source = app.Chain.Fund(hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), NBitcoin.Money.Satoshis(1_100_000));
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(new OutPoint(source, 0)) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(1_000_000), BitcoinAddress.Create(address, Net)));
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(99_000), hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        return (tx, PSBT.FromTransaction(tx, Net).AddCoins(new Coin(source, 0)), hot);
    }

    /// <summary>The freelancer, then the agency (through its confirmation page), sign the refund of milestone 1.</summary>
    private async Task SignRefundAsync(Browser staff, ContractAtHand c)
    {
        var freelancerPage = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        var refundFile = await c.Freelancer.GetAsync(freelancerPage.Get("#EscrowMilestone1 .refund-download").GetAttribute("href")!);
        Assert.Equal(HttpStatusCode.OK, refundFile.Status);
        var refundPsbt = Convert.ToBase64String(await refundFile.Response.Content.ReadAsByteArrayAsync());
        var signedByFreelancer = await c.Freelancer.SubmitAsync(freelancerPage, "#EscrowMilestone1 .refund-form button", ("psbt", _freelancer.Sign(refundPsbt)));
        Assert.Null(signedByFreelancer.Find("#EscrowError"));
        // The agency's signature goes through a confirmation that shows what the refund pays, to whom, and from which block.
        var asked = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), ".staff-refund-form button", ("psbt", _agency.Sign(refundPsbt)));
        Assert.Equal("Sign the refund of milestone 1 with the agency's key?", asked.Text("#ConfirmHeading"));
        Assert.Contains($"to the client ({_client.Payout})", asked.Text("#ConfirmEffects"));
        Assert.Contains("Network fee:", asked.Text("#ConfirmEffects"));
        Assert.Contains("valid from block", asked.Text("#ConfirmEffects"));
        Assert.DoesNotContain(EscrowRole.Agency, (await app.ContractAsync(c.Id)).NonCustodial.Milestones[0].Refund!.SignedBy);
        var signedByAgency = await staff.SubmitAsync(asked, "#ConfirmAct");
        Assert.Null(signedByAgency.Find("#EscrowError"));
        Assert.Contains(EscrowRole.Agency, (await app.ContractAsync(c.Id)).NonCustodial.Milestones[0].Refund!.SignedBy);
    }

    private async Task SendFundingAsync(ContractAtHand c, PSBT funding, Key hot)
    {
        funding.SignWithKeys(hot).Finalize();
        Assert.True(app.Chain.Submit(funding.ExtractTransaction()).IsValid);
        app.Chain.Mine();
        await app.WatchChainAsync();
        Assert.Equal(MilestoneState.Funded, (await app.ContractAsync(c.Id)).Milestones[0].State);
    }

    /// <summary>A one-milestone non-custodial contract of 0.01 BTC, its refund signed and its funding confirmed.</summary>
    private async Task<(ContractAtHand C, string Address)> FundedAsync(Browser staff, string title)
    {
        var c = await ProposedAsync(staff, title);
        await GiveKeysAndAcceptAsync(c);
        var address = (await c.Client.OpenAsync(c.ClientUrl)).Text("#EscrowMilestone1 .escrow-address");
        var (_, funding, hot) = PrepareFunding(address);
        var proposed = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#EscrowMilestone1 .funding-form button", ("psbt", funding.ToBase64()));
        Assert.Null(proposed.Find("#EscrowError"));
        await SignRefundAsync(staff, c);
        await SendFundingAsync(c, funding, hot);
        return (c, address);
    }

    /// <summary>Delivered and approved: the release transaction waits for the client's and the freelancer's signatures.</summary>
    private async Task ApproveAsync(ContractAtHand c)
    {
        await _flow.SubmitDeliverableAsync(c, 1);
        var confirm = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .approve-milestone");
        Assert.Null((await c.Client.SubmitAsync(confirm, "#ConfirmButton")).Find("#EscrowError"));
        await app.WatchChainAsync();
    }

    /// <summary>Client and freelancer sign the release in their wallets and confirm the upload.</summary>
    private async Task SignReleaseAsync(ContractAtHand c)
    {
        var spendPsbt = (await app.ContractAsync(c.Id)).NonCustodial.Spends.Single().Round.Psbt;
        foreach (var (browser, url, wallet) in new[] { (c.Client, c.ClientUrl, _client), (c.Freelancer, c.FreelancerUrl, _freelancer) })
        {
            var asked = await browser.SubmitAsync(await browser.OpenAsync(url), ".escrow-spend .spend-form button", ("psbt", wallet.Sign(spendPsbt)));
            Assert.Null((await browser.SubmitAsync(asked, "#ConfirmButton")).Find("#EscrowError"));
        }
    }

    /// <summary>Every PSBT file field can be named by assistive technology (axe's "label" rule, critical).</summary>
    private static void AssertFileInputsLabelled(Page page)
    {
        var inputs = page.Document.QuerySelectorAll("input[type=file]");
        Assert.NotEmpty(inputs);
        Assert.All(inputs, i => Assert.False(string.IsNullOrWhiteSpace(i.GetAttribute("aria-label")) && (i.Id is null || page.Find($"label[for='{i.Id}']") is null),
            $"A file input on {page.Url} has no label: {i.OuterHtml}"));
    }

    [Fact]
    public async Task A_private_key_or_a_malformed_key_is_refused_on_the_page_without_repeating_it_and_nothing_is_stored()
    {
        var staff = await app.StaffAsync();
        var c = await ProposedAsync(staff, "Bad keys");
        var xprv = _client.Account.GetWif(Net).ToString();
        var before = await app.SnapshotAsync(c.Id);

        var privatePage = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#SaveEscrowKey", ("key", xprv), ("payoutAddress", _client.Payout));
        var malformed = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#SaveEscrowKey", ("key", "[d34db33f/48h]tpubBroken"), ("payoutAddress", _client.Payout));
        var badAddress = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#SaveEscrowKey", ("key", _client.Exported), ("payoutAddress", "not-an-address"));

        Assert.Contains("private key", privatePage.Text("#EscrowError"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(xprv, privatePage.Body);
        Assert.Contains("extended public key", malformed.Text("#EscrowError"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not a bitcoin address", badAddress.Text("#EscrowError"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        // The same for the agency key in the settings: refused, not stored, not shown back.
        var settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
        var refused = await staff.SubmitAsync(settings, "#SaveSettings", ("AgencyKey", _agency.Account.GetWif(Net).ToString()), ("AgencyPayoutAddress", _agency.Payout));
        Assert.DoesNotContain(_agency.Account.GetWif(Net).ToString(), refused.Body);
        Assert.Contains("private key", refused.VisibleText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(_agency.Exported, (await app.Services.GetRequiredService<Core.Ports.IStoreSettingsStore>().GetAsync(EscrowApp.StoreId, CancellationToken.None)).AgencyKey);
    }

    [Fact]
    public async Task A_fiat_contract_cannot_be_non_custodial_and_the_form_says_why()
    {
        var staff = await app.StaffAsync();
        await staff.OpenAsync(Urls.NewContract());
        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid("Fiat multisig", "USD").With("Form.Custody", "NonCustodial"));
        Assert.False(page.IsRedirect);
        Assert.Contains("Non-custodial escrow is for contracts in BTC", page.VisibleText);
    }

    [Fact]
    public async Task Staff_choose_the_network_fee_rate_of_escrow_transactions_and_a_bad_rate_changes_nothing()
    {
        var staff = await app.StaffAsync();
        await SetAgencyKeyAsync(staff);
        var store = app.Services.GetRequiredService<Core.Ports.IStoreSettingsStore>();
        Assert.Null((await store.GetAsync(EscrowApp.StoreId, CancellationToken.None)).NetworkFeeRate);

        var settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
        await staff.SubmitAsync(settings, "#SaveSettings", ("NetworkFeeRate", "12.5"));
        Assert.Equal(12.5m, (await store.GetAsync(EscrowApp.StoreId, CancellationToken.None)).NetworkFeeRate);

        foreach (var bad in new[] { "0", "0.5", "1001", "1.25", "-3", "abc", "1e3" })
        {
            settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
            var refused = await staff.SubmitAsync(settings, "#SaveSettings", ("NetworkFeeRate", bad));
            Assert.False(refused.IsRedirect, bad);
            Assert.Contains("fee rate", refused.VisibleText, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(12.5m, (await store.GetAsync(EscrowApp.StoreId, CancellationToken.None)).NetworkFeeRate);
        }

        // Emptied: back to the node's estimate.
        settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
        await staff.SubmitAsync(settings, "#SaveSettings", ("NetworkFeeRate", ""));
        Assert.Null((await store.GetAsync(EscrowApp.StoreId, CancellationToken.None)).NetworkFeeRate);
    }

    /// <summary>Keys given, terms accepted, the funding prepared and its refund signed by freelancer and agency through the pages.</summary>
    private async Task<(ContractAtHand C, string Address)> RefundReadyAsync(Browser staff, string title)
    {
        var c = await ProposedAsync(staff, title);
        await GiveKeysAndAcceptAsync(c);
        var clientPage = await c.Client.OpenAsync(c.ClientUrl);
        var address = clientPage.Text("#EscrowMilestone1 .escrow-address");
        var (_, funding, _) = PrepareFunding(address);
        await c.Client.SubmitAsync(clientPage, "#EscrowMilestone1 .funding-form button", ("psbt", funding.ToBase64()));
        await SignRefundAsync(staff, c);
        Assert.True((await app.ContractAsync(c.Id)).NonCustodial.Milestones[0].RefundReady);
        return (c, address);
    }

    [Fact]
    public async Task A_payment_that_is_not_the_prepared_funding_is_shown_as_not_counting_and_staff_return_it_after_confirming()
    {
        var staff = await app.StaffAsync();
        var (c, address) = await RefundReadyAsync(staff, "Unexpected payment");
        var stray = app.Chain.Fund(BitcoinAddress.Create(address, Net), NBitcoin.Money.Satoshis(1_000_000));
        app.Chain.Mine();
        await app.WatchChainAsync();

        // Both parties see that it does not fund the milestone; the client is told how to fund.
        var clientPage = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Equal("Pending", clientPage.Get("#Milestone1").GetAttribute("data-state"));
        var warning = clientPage.Text("#EscrowMilestone1 .unexpected-coins");
        Assert.Contains("not the milestone's funding", warning);
        Assert.Contains("0.01000000 BTC in " + new OutPoint(stray, 0), warning);
        Assert.Contains("waiting for the agency to return it", warning);
        Assert.Contains("send the transaction you prepared", warning);
        Assert.Contains("does not count", (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Text("#EscrowMilestone1 .unexpected-coins"));
        Assert.Null(clientPage.Find(".return-unexpected-form"));

        // Staff: without the confirmation nothing happens; with it, a return for the client and the agency to sign.
        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Contains(_client.Payout, details.Text(".return-unexpected-form"));
        var unconfirmed = await staff.SubmitAsync(details, ".return-unexpected-form button", ("confirm", ""));
        Assert.Contains("Tick the confirmation", unconfirmed.Text("#EscrowError"));
        Assert.Empty((await app.ContractAsync(c.Id)).NonCustodial.Spends);
        var returned = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), ".return-unexpected-form button", ("confirm", "yes"));
        Assert.Null(returned.Find("#EscrowError"));
        var spend = Assert.Single((await app.ContractAsync(c.Id)).NonCustodial.Spends);
        Assert.Equal(SpendKind.ClientRefund, spend.Round.Kind);
        Assert.Empty(spend.PayoutIds);
        Assert.Null(returned.Find(".return-unexpected-form"));
        // Asked again (a second tab), it is refused with the reason and nothing more is opened.
        var again = await staff.SubmitAsync(details, ".return-unexpected-form button", ("confirm", "yes"));
        Assert.Contains("no unexpected payment waiting", again.Text("#EscrowError"));
        Assert.Single((await app.ContractAsync(c.Id)).NonCustodial.Spends);

        clientPage = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Contains("being returned to the client", clientPage.Text("#EscrowMilestone1 .unexpected-coins"));
        // The coin was never counted: the money box does not show it as escrow money being paid out.
        Assert.Equal("0.00000000 BTC", clientPage.Text("#TotalInEscrow"));
        Assert.Null(clientPage.Find("#TotalBeingPaidOut"));
        Assert.Contains("still needed: the client and the agency", clientPage.Text(".escrow-spend"));
    }

    [Fact]
    public async Task A_payment_to_a_released_milestones_address_is_shown_to_both_parties_and_staff_return_it_to_the_client()
    {
        var staff = await app.StaffAsync();
        var (c, address) = await FundedAsync(staff, "Late second payment");
        await ApproveAsync(c);
        await SignReleaseAsync(c);
        app.Chain.Mine();
        await app.WatchChainAsync();
        Assert.Equal(ContractState.Completed, (await app.ContractAsync(c.Id)).State);

        var late = app.Chain.Fund(BitcoinAddress.Create(address, Net), NBitcoin.Money.Satoshis(25_000));
        app.Chain.Mine();
        await app.WatchChainAsync();

        foreach (var (browser, url) in new[] { (c.Client, c.ClientUrl), (c.Freelancer, c.FreelancerUrl) })
        {
            var warning = (await browser.OpenAsync(url)).Text("#EscrowMilestone1 .unexpected-coins");
            Assert.Contains("Milestone 1 is closed (released)", warning);
            Assert.Contains("0.00025000 BTC in " + new OutPoint(late, 0), warning);
            Assert.Contains("waiting for the agency to return it", warning);
        }
        // The released money stays counted once; the late coin is in no total.
        var clientPage = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Equal("0.00000000 BTC", clientPage.Text("#TotalInEscrow"));
        Assert.Equal("Completed", clientPage.Text("#ContractState"));

        var returned = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), ".return-unexpected-form button", ("confirm", "yes"));
        Assert.Null(returned.Find("#EscrowError"));
        var back = (await app.ContractAsync(c.Id)).NonCustodial.Spends.Single(s => s.Round.Kind == SpendKind.ClientRefund);
        Assert.Empty(back.PayoutIds);
        Assert.Contains("being returned to the client", (await c.Client.OpenAsync(c.ClientUrl)).Text("#EscrowMilestone1 .unexpected-coins"));
    }
}
