using System.Globalization;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using NBitcoin;
using QRCoder;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// What the non-custodial pages say about money on chain: the escrow balance until a spend confirms, what each address
/// receives after the network fee, when the pre-signed refund becomes valid, the contract's state while paying out,
/// the agency's confirmation before it signs, and the funding QR code.
/// </summary>
public sealed partial class NonCustodialPageTests
{
    private static string Btc(long sats) => (sats / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture) + " BTC";

    [Fact]
    public async Task A_decided_release_stays_in_escrow_and_the_contract_says_paying_out_until_the_transaction_confirms()
    {
        var staff = await app.StaffAsync();
        var (c, _) = await FundedAsync(staff, "Paying out");

        await ApproveAsync(c);
        Assert.Equal(ContractState.Completed, (await app.ContractAsync(c.Id)).State);
        foreach (var (browser, url) in new[] { (c.Client, c.ClientUrl), (c.Freelancer, c.FreelancerUrl) })
        {
            var page = await browser.OpenAsync(url);
            Assert.StartsWith("0.01000000 BTC — payout decided, waiting for signatures", page.Text("#TotalInEscrow"));
            Assert.Contains("0.01000000 BTC: the release of milestone 1, waiting for signatures", page.Text("#TotalBeingPaidOut"));
            Assert.Equal("0.01000000 BTC — release decided, waiting for signatures", page.Text("#Milestone1 .in-escrow"));
            Assert.Equal("Paying out — signatures pending", page.Text("#ContractState"));
            Assert.Equal("Completed", page.Get("#ContractState").GetAttribute("data-state"));
        }
        Assert.Equal("0.00000000 BTC", (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Text("#TotalPaid"));
        var staffPage = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Equal("Paying out — signatures pending", staffPage.Text("#ContractState"));
        // The milestone's row on the staff page: decided, money still on chain (its words in the badge's title).
        var badge = staffPage.Get("#Milestones tr[data-milestone='1'] .badge");
        Assert.Equal("Released (on chain: pending)", badge.TextContent.Trim());
        Assert.Equal("released — signatures pending", badge.GetAttribute("title"));
        Assert.Contains("bg-warning", badge.ClassList);
        Assert.Equal("Paying out — signatures pending", await ListBadgeAsync(staff, c.Id));

        await SignReleaseAsync(c);
        var sent = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Equal("Paying out — waiting for a confirmation", sent.Text("#ContractState"));
        Assert.StartsWith("0.01000000 BTC — payout decided, waiting for a confirmation", sent.Text("#TotalInEscrow"));
        Assert.Equal("Paying out — waiting for a confirmation", (await staff.OpenAsync(Urls.Contract(c.Id))).Text("#ContractState"));
        Assert.Equal("Paying out — waiting for a confirmation", await ListBadgeAsync(staff, c.Id));

        app.Chain.Mine();
        await app.WatchChainAsync();
        var done = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Equal("Completed", done.Text("#ContractState"));
        Assert.Equal("0.00000000 BTC", done.Text("#TotalInEscrow"));
        Assert.Null(done.Find("#TotalBeingPaidOut"));
        Assert.Equal("0.01000000 BTC", done.Text("#TotalPaid"));
        var confirmed = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Equal("Completed", confirmed.Text("#ContractState"));
        var settled = confirmed.Get("#Milestones tr[data-milestone='1'] .badge");
        Assert.Equal("Released", settled.TextContent.Trim());
        Assert.Equal(Display.Words(Core.Milestones.MilestoneState.Released), settled.GetAttribute("title"));
        Assert.DoesNotContain("bg-warning", settled.ClassList);
        Assert.Equal("Completed", await ListBadgeAsync(staff, c.Id));
    }

    /// <summary>The state badge of the contract's row in the staff list (the most recently changed contracts come first).</summary>
    private static async Task<string> ListBadgeAsync(Browser staff, Guid contractId)
    {
        var list = await staff.OpenAsync(Urls.Staff());
        var row = list.Document.QuerySelectorAll("#ContractList tbody tr").Single(tr => tr.QuerySelector($"a[href$='/contracts/{contractId}']") is not null);
        return row.QuerySelector(".contract-state")!.TextContent.Trim();
    }

    [Fact]
    public async Task The_network_fee_is_announced_before_the_release_and_then_shown_from_the_transactions_outputs()
    {
        var staff = await app.StaffAsync();
        var (c, _) = await FundedAsync(staff, "Fee share");
        var funded = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Contains("deducted from the escrow when the payout transaction is signed", funded.Text("#Milestone1 .network-fee"));
        Assert.EndsWith("less a share of the network fee", funded.Text("#Milestone1 .freelancer-receives"));

        await ApproveAsync(c);
        var contract = await app.ContractAsync(c.Id);
        var tx = PSBT.Parse(contract.NonCustodial.Spends.Single().Round.Psbt, Net).GetGlobalTransaction();
        var received = tx.Outputs.Single(o => o.ScriptPubKey == BitcoinAddress.Create(_freelancer.Payout, Net).ScriptPubKey).Value.Satoshi;
        var fee = 1_000_000 - tx.Outputs.Sum(o => o.Value.Satoshi);
        var decided = (long)(contract.Payouts.Single(p => p.Recipient == PartyRole.Freelancer).PayoutAmount.Amount * 100_000_000m);
        Assert.True(fee > 0 && received < decided, $"fee {fee}, received {received}, decided {decided}");

        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Equal($"{Btc(received)} ({Btc(decided)} decided − {decided - received} sat ({Btc(decided - received)}) network fee share)", page.Text("#Milestone1 .freelancer-receives"));
        Assert.StartsWith($"{fee} sat ({Btc(fee)}), paid from the escrow's 0.01000000 BTC", page.Text("#Milestone1 .network-fee"));
        Assert.StartsWith($"{Btc(received)} at {_freelancer.Payout}", page.Text("#Milestone1 .spend-output[data-role=Freelancer]"));
        Assert.Contains($"Network fee: {fee} sat ({Btc(fee)})", page.Text(".escrow-spend .spend-figures"));
        Assert.Contains($"{Btc(received)} to the freelancer ({_freelancer.Payout}): {Btc(decided)} decided, less", page.Text(".escrow-spend .spend-figures"));
        Assert.Contains($"{Btc(received)} arrives at your address", page.Text("#Milestone1 .claim"));
    }

    [Fact]
    public async Task The_refund_says_the_chain_height_and_an_estimated_date_until_its_block_and_then_that_it_is_valid()
    {
        var staff = await app.StaffAsync();
        var (c, _) = await FundedAsync(staff, "Refund height");
        var refundHeight = (await app.ContractAsync(c.Id)).NonCustodial.Milestones.Single().RefundHeight;
        var height = app.Chain.Height;
        Assert.True(height < refundHeight);

        var status = (await c.Client.OpenAsync(c.ClientUrl)).Text("#EscrowMilestone1 .refund-status");
        Assert.Contains($"valid from block {refundHeight}; the chain is at block {height}, {refundHeight - height} blocks to go: estimated ", status);
        Assert.Matches(@"estimated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(about 10 minutes a block, an estimate\)", status);
        Assert.Contains($"the chain is at block {height}", (await staff.OpenAsync(Urls.Contract(c.Id))).Text(".staff-refund-status"));

        app.Chain.Mine((int)refundHeight - height);
        Assert.Contains($"valid now: block {refundHeight} is reached", (await c.Client.OpenAsync(c.ClientUrl)).Text("#EscrowMilestone1 .refund-status"));
    }

    [Fact]
    public void Without_a_chain_the_refund_names_its_block_and_says_the_height_is_unknown()
    {
        var words = EscrowChainNow.Unknown.RefundValidity(700, DateTimeOffset.UtcNow);
        Assert.Equal("valid from block 700; the current block height is unknown right now (the bitcoin chain is not reachable)", words);
    }

    [Fact]
    public async Task The_agency_signs_a_client_refund_only_after_a_confirmation_showing_what_it_pays()
    {
        var staff = await app.StaffAsync();
        var (c, _) = await FundedAsync(staff, "Agency confirms");
        await staff.SubmitConfirmedAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#CancelContract", ("reason", "The client withdrew"));
        await app.WatchChainAsync();
        var spend = Assert.Single((await app.ContractAsync(c.Id)).NonCustodial.Spends);
        Assert.Equal(SpendKind.ClientRefund, spend.Round.Kind);
        Assert.Equal("Cancelled — refund signatures pending", (await c.Client.OpenAsync(c.ClientUrl)).Text("#ContractState"));

        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Equal("Cancelled — refund signatures pending", details.Text("#ContractState"));
        Assert.Null(details.Find(".staff-spend-form input[type=checkbox]"));
        var refused = await staff.SubmitAsync(details, ".staff-spend-form button", ("psbt", "not a psbt"));
        Assert.Null(refused.Find("#ConfirmAct"));

        var asked = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), ".staff-spend-form button", ("psbt", _agency.Sign(spend.Round.Psbt)));
        Assert.Equal("Sign the refund transaction of milestone 1 with the agency's key?", asked.Text("#ConfirmHeading"));
        var effects = asked.Text("#ConfirmEffects");
        var refund = PSBT.Parse(spend.Round.Psbt, Net).GetGlobalTransaction().Outputs.Single();
        Assert.Contains($"{Btc(refund.Value.Satoshi)} to the client ({_client.Payout})", effects);
        Assert.Contains($"Network fee: {1_000_000 - refund.Value.Satoshi} sat", effects);
        Assert.Contains("cannot be taken back", effects);
        Assert.Empty((await app.ContractAsync(c.Id)).NonCustodial.Spends.Single().Round.SignedBy);

        var done = await staff.SubmitAsync(asked, "#ConfirmAct");
        Assert.Null(done.Find("#EscrowError"));
        Assert.Equal([EscrowRole.Agency], (await app.ContractAsync(c.Id)).NonCustodial.Spends.Single().Round.SignedBy);
    }

    [Fact]
    public async Task The_payment_to_prepare_has_an_inline_QR_code_of_its_bip21_link_and_step_two_has_none()
    {
        var staff = await app.StaffAsync();
        var c = await ProposedAsync(staff, "Funding QR");
        await GiveKeysAndAcceptAsync(c);
        var address = (await c.Client.OpenAsync(c.ClientUrl)).Text("#EscrowMilestone1 .escrow-address");

        var page = await c.Client.OpenAsync(c.ClientUrl);
        var link = page.Text("#EscrowMilestone1 .bip21-prepare");
        Assert.Equal($"bitcoin:{address}?amount=0.01", link);
        var svg = page.Get("#EscrowMilestone1 svg.bip21-qr");
        Assert.Equal("img", svg.GetAttribute("role"));
        Assert.Contains(address, svg.GetAttribute("aria-label"));
        Assert.Contains(address, svg.QuerySelector("title")!.TextContent);
        Assert.Empty(svg.QuerySelectorAll("[style], [href], image, script"));

        // The dark modules drawn are exactly those of the link's QR code.
        var drawn = Regex.Matches(svg.QuerySelector("path")!.GetAttribute("d")!, @"M(\d+) (\d+)h1v1h-1z")
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToHashSet();
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var expected = data.ModuleMatrix.SelectMany((row, y) => Enumerable.Range(0, row.Count).Where(x => row[x]).Select(x => (x, y))).ToHashSet();
        Assert.True(expected.SetEquals(drawn), $"{drawn.Count} modules drawn, {expected.Count} expected.");

        // Once the refund is signed, the client sends the prepared transaction: no code or link invites a new payment.
        var (_, funding, _) = PrepareFunding(address);
        await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#EscrowMilestone1 .funding-form button", ("psbt", funding.ToBase64()));
        await SignRefundAsync(staff, c);
        page = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Null(page.Find("#EscrowMilestone1 svg.bip21-qr"));
        Assert.Null(page.Find("#EscrowMilestone1 .bip21"));
        Assert.Equal(funding.GetGlobalTransaction().GetHash().ToString(), page.Text("#EscrowMilestone1 .funding-txid"));
    }
}
