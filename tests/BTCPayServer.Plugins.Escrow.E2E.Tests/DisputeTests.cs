using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class DisputeTests(EscrowHost host)
{
    /// <summary>
    /// Flow 3: a 1.0 BTC milestone with a 10% fee paid by the freelancer is disputed; the freelancer's split proposal is
    /// rejected; the client escalates; the agency rules 60% from its dispute queue. 60% of 1.0 = 0.6 BTC, minus the
    /// 10% fee = 0.54 BTC to the freelancer; 0.4 BTC back to the client. Both claim links appear, then both are claimed.
    /// </summary>
    [Fact]
    public async Task Rejected_split_goes_to_the_agency_whose_60_percent_ruling_pays_both_parties()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Mobile app (disputed)",
            "BTC",
            "1.25000000 BTC",
            [
                new MilestoneSpec("App prototype", "1", "Clickable prototype"),
                new MilestoneSpec("Store release", "0.25", "App in both stores"),
            ],
            FeePercent: "10"));
        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        var freelancer = await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await s.OpenCheckoutAsync(client, 1, "1.00000000 BTC");
        await s.PayInFullAsync(client, "1.00000000 BTC");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-funded");
        await s.SubmitAsync(freelancer, 1, "Prototype done.", "https://example.com/prototype", "freelancer-submitted");

        // The client disputes.
        await s.RefreshAsync(client, "client-sees-delivery");
        var card = E2ESession.Milestone(client, 1);
        await card.Locator("details summary").ClickAsync();
        await card.Locator("textarea[name=reason]").FillAsync("Half of the screens are missing.");
        await s.ClickAsync(client, card.Locator(".open-dispute"), "client-opened-dispute");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("The dispute is open.");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "Disputed");
        await Expect(E2ESession.Milestone(client, 1).Locator(".dispute")).ToHaveAttributeAsync("data-status", "Open");

        // The freelancer proposes 0.7 BTC; the client rejects it.
        await s.RefreshAsync(freelancer, "freelancer-sees-dispute");
        var fcard = E2ESession.Milestone(freelancer, 1);
        await Expect(fcard.Locator(".dispute")).ToContainTextAsync("Half of the screens are missing.");
        await fcard.Locator("input[name=freelancerAmount]").FillAsync("0.7");
        await fcard.Locator("input[name=note]").FillAsync("Most screens are there.");
        await Expect(fcard.Locator(".propose-split")).ToHaveTextAsync("Propose split (of 1.00000000 BTC)");
        await s.ClickAsync(freelancer, fcard.Locator(".propose-split"), "freelancer-proposed-split");
        await Expect(freelancer.Locator("#EscrowNotice")).ToHaveTextAsync("Your proposal was sent.");
        // The proposer cannot answer their own proposal.
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".accept-split")).ToHaveCountAsync(0);

        await s.RefreshAsync(client, "client-sees-proposal");
        var proposal = E2ESession.Milestone(client, 1).Locator(".proposal");
        await Expect(proposal).ToContainTextAsync("0.70000000 BTC to the freelancer");
        await s.ClickAsync(client, proposal.Locator(".reject-split"), "client-rejected-split");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("You rejected the proposal.");
        await Expect(E2ESession.Milestone(client, 1).Locator(".proposal")).ToHaveAttributeAsync("data-status", "Rejected");

        // The client asks the agency to decide.
        await s.ClickAsync(client, E2ESession.Milestone(client, 1).Locator(".escalate"), "client-escalated");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("The dispute went to the agency.");
        await Expect(E2ESession.Milestone(client, 1).Locator(".dispute")).ToHaveAttributeAsync("data-status", "Escalated");

        // The agency rules 60% in its dispute queue.
        await s.GotoAsync(agency, s.StaffBase, "agency-contract-list");
        await s.ClickAsync(agency, agency.Locator("#DisputesQueue"), "dispute-queue");
        var row = agency.Locator("#DisputeQueue tbody tr", new() { HasText = "Mobile app (disputed)" });
        await Expect(row).ToContainTextAsync("1.00000000 BTC");
        await Expect(row).ToContainTextAsync("Escalated");
        await s.ClickAsync(agency, row.Locator("a", new() { HasText = "Rule" }), "ruling-form");
        await Expect(agency.Locator("#DisputeStatus")).ToHaveTextAsync("Escalated");
        await Expect(agency.Locator(".dispute-proposal")).ToContainTextAsync("0.70000000 BTC");
        // The unit select shows its longest option whole in any theme: with a larger font and padding (BTCPay's theme cut a
        // fixed-width select to "% of amoun"), the text still fits between its paddings.
        var spare = await agency.Locator("#ShareUnit").EvaluateAsync<double>("""
            sel => {
                sel.style.fontSize = '1.25rem'; sel.style.paddingRight = '3rem';
                const cs = getComputedStyle(sel);
                const ctx = document.createElement('canvas').getContext('2d');
                ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
                const widest = Math.max(...[...sel.options].map(o => ctx.measureText(o.text).width));
                const spare = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - widest;
                sel.style.fontSize = ''; sel.style.paddingRight = '';
                return spare;
            }
            """);
        Assert.True(spare >= 0, $"The unit select cuts its text by {-spare:0.#} px.");
        await agency.FillAsync("#FreelancerShare", "60");
        await agency.SelectOptionAsync("#ShareUnit", "Percent");
        await agency.FillAsync("#RulingReason", "About 60% of the prototype was delivered.");
        await s.ClickAsync(agency, agency.Locator("#SubmitRuling"), "agency-ruling-confirmation");
        // A ruling is final: the page first says what each party gets, and nothing moved yet.
        await Expect(agency.Locator("#ConfirmEffects")).ToContainTextAsync("final and cannot be undone");
        await s.ClickAsync(agency, agency.Locator("#ConfirmAct"), "agency-ruled");
        await Expect(agency).ToHaveURLAsync(contract.Url);
        await Expect(agency.Locator("#Milestones tr[data-milestone='1']")).ToContainTextAsync("Resolved");

        // One ruling, two payouts: each party's page shows its own claim link with the right amount.
        var release = await s.WaitForClaimAsync(freelancer, 1, "Release", "0.54000000 BTC", "freelancer-claim-link");
        var refund = await s.WaitForClaimAsync(client, 1, "Refund", "0.40000000 BTC", "client-refund-link");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".claim")).ToHaveCountAsync(1);
        await Expect(E2ESession.Milestone(client, 1).Locator(".claim")).ToHaveCountAsync(1);
        await Expect(E2ESession.Milestone(client, 1).Locator(".dispute")).ToContainTextAsync("About 60% of the prototype was delivered.");
        await s.ClaimAsync(freelancer, release, "0.54000000 BTC", "freelancer");
        await s.ClaimAsync(client, refund, "0.40000000 BTC", "client");

        await s.GotoAsync(agency, contract.Url, "agency-ledger");
        await Expect(agency.Locator("#LedgerReleased")).ToHaveTextAsync("0.54000000 BTC");
        await Expect(agency.Locator("#LedgerRefunded")).ToHaveTextAsync("0.40000000 BTC");
        await Expect(agency.Locator("#Ledger tr").Nth(3)).ToContainTextAsync("0.06000000 BTC");
        await Expect(agency.Locator("#LedgerBalance")).ToHaveTextAsync("0.00000000 BTC");
        await Expect(agency.Locator("#Payouts tbody tr")).ToHaveCountAsync(2);
        await Expect(agency.Locator("#Payouts tbody tr", new() { HasText = "Completed" })).ToHaveCountAsync(2);

        // The queue no longer lists it.
        await s.GotoAsync(agency, s.StaffBase + "/disputes", "dispute-queue-after");
        await Expect(agency.Locator("#DisputeQueue tbody tr", new() { HasText = "Mobile app (disputed)" })).ToHaveCountAsync(0);
        s.AssertNoProblems();
    }
}
