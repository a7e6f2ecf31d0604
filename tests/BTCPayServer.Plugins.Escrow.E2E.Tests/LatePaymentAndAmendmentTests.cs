using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class LatePaymentAndAmendmentTests(EscrowHost host)
{
    /// <summary>
    /// Flow 6, as the client sees it: an invoice expires, the client pays it anyway, and the page says the money is held
    /// for the agency (and does not offer to take it again); the agency accepts it after a confirmation. Then the agency
    /// amends the terms: both parties are told exactly what changed before accepting again, and the timeline tells the
    /// story in words.
    /// </summary>
    [Fact]
    public async Task A_late_payment_is_held_not_offered_again_and_amended_terms_say_what_changed()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Shop photography (USD)",
            "USD",
            "300.00 USD",
            [
                new MilestoneSpec("Product shots", "100", "40 product photos"),
                new MilestoneSpec("Lifestyle shots", "200", "15 lifestyle photos"),
            ],
            FeePercent: "6"));
        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        var freelancer = await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await s.RefreshAsync(client, "client-active");

        // Every amount with its breakdown: the freelancer pays the 6 % fee out of the payment.
        var m1 = E2ESession.Milestone(client, 1);
        await Expect(m1.Locator(".amount")).ToHaveTextAsync("100.00 USD");
        await Expect(m1.Locator(".fee")).ToContainTextAsync("6.00 USD, paid by the freelancer");
        await Expect(m1.Locator(".freelancer-receives")).ToContainTextAsync("94.00 USD");

        // The invoice expires; the client pays it anyway.
        await s.OpenCheckoutAsync(client, 1, "100.00 USD");
        await s.ClickAsync(client, client.Locator("#ExpireInvoice"), "checkout-expired");
        await Expect(client.Locator("#InvoiceStatus")).ToHaveTextAsync("Expired");
        await Expect(client.Locator("#PayInFull")).ToHaveTextAsync("Pay after expiry");
        await s.ClickAsync(client, client.Locator("#PayInFull"), "checkout-paid-after-expiry");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-late-payment-held");

        // Held for the agency, in words, and not offered again: no Fund button for milestone 1, "Fund all" counts only milestone 2.
        await Expect(m1).ToHaveAttributeAsync("data-state", "Pending");
        await Expect(m1.Locator(".held-late")).ToHaveTextAsync("100.00 USD paid late, held for the agency's decision; don't pay it again");
        await Expect(m1.Locator(".fund-milestone")).ToHaveCountAsync(0);
        await Expect(client.Locator("#FundAll")).ToHaveTextAsync("Fund all remaining milestones (200.00 USD)");
        await Expect(client.Locator("#NextStep")).ToHaveTextAsync("Next step: Your late payment of 100.00 USD for milestone 1 is held for the agency's decision; you don't need to pay again.");
        await client.Locator("#PartyTimeline summary").ClickAsync();
        await Expect(client.Locator("#PartyTimeline")).ToContainTextAsync("A payment of 100.00 USD arrived after its invoice had closed. It is held until");
        await s.ShotAsync(client, "client-timeline-late-payment");
        await s.RefreshAsync(freelancer, "freelancer-sees-held");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".held-late")).ToHaveTextAsync("100.00 USD paid late, held for the agency's decision");

        // The agency accepts it, after a page stating what that does.
        await s.GotoAsync(agency, contract.Url, "agency-late-payment");
        var late = agency.Locator("#Payments tbody tr").Filter(new() { Has = agency.Locator("td[data-status=AwaitingAcceptance]") });
        await Expect(late).ToHaveCountAsync(1);
        await Expect(late).ToContainTextAsync("late: waiting for your decision");
        await s.ClickAsync(agency, late.Locator("button", new() { HasText = "Accept" }), "agency-confirm-late-accept");
        await Expect(agency.Locator("#ConfirmHeading")).ToHaveTextAsync("Accept a late payment");
        await Expect(agency.Locator("#ConfirmEffects")).ToContainTextAsync("Count 100.00 USD");
        await s.ClickAsync(agency, agency.Locator("#ConfirmAct"), "agency-late-accepted");
        await Expect(agency.Locator("#Payments td[data-status=AwaitingAcceptance]")).ToHaveCountAsync(0);
        await s.RefreshAsync(client, "client-late-payment-accepted");
        await Expect(m1).ToHaveAttributeAsync("data-state", "Funded");
        await Expect(m1.Locator(".held-late")).ToHaveCountAsync(0);
        await Expect(m1.Locator(".funded")).ToContainTextAsync("100.00 USD of 100.00 USD");

        // The agency amends the terms: milestone 2 costs more, a third milestone is added.
        await s.ClickAsync(agency, agency.Locator("#EditContract"), "agency-amend-form");
        var rows = agency.Locator("#Milestones [data-milestone-row]");
        await rows.Nth(1).Locator("[data-field=Amount]").FillAsync("250");
        await agency.ClickAsync("#AddMilestone");
        await Expect(rows).ToHaveCountAsync(3);
        await rows.Nth(2).Locator("[data-field=Title]").FillAsync("Retouching");
        await rows.Nth(2).Locator("[data-field=Amount]").FillAsync("50");
        await rows.Nth(2).Locator("[data-field=Deliverable]").FillAsync("Retouch the 10 best photos");
        await s.ClickAsync(agency, agency.Locator("#SaveContract"), "agency-amendment-offered");

        // Before accepting again, the client reads what changed; until then the accepted terms stay in force.
        await s.RefreshAsync(client, "client-terms-changed");
        var changed = client.Locator("#TermsChanged");
        await Expect(changed).ToContainTextAsync("The terms changed since you accepted version 1");
        await Expect(changed.Locator(".terms-change")).ToContainTextAsync([
            "Milestone 2 \"Lifestyle shots\": amount 200.00 USD becomes 250.00 USD.",
            "Milestone 3 \"Retouching\" (50.00 USD) was added.",
            "Contract total: 300.00 USD becomes 400.00 USD.",
        ]);
        await Expect(changed).ToContainTextAsync("Until you accept, the terms you accepted stay in force.");
        // The version accepted before stays one click away.
        await client.Locator("#AcceptedTerms summary").ClickAsync();
        await Expect(client.Locator("#AcceptedTerms")).ToContainTextAsync("200.00 USD");
        await s.ShotAsync(client, "client-terms-accepted-earlier");
        await s.ClickAsync(client, client.Locator("#AcceptTerms"), "client-accepted-amendment");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("You accepted the terms.");

        await s.RefreshAsync(freelancer, "freelancer-terms-changed");
        await Expect(freelancer.Locator("#TermsChanged .terms-change")).ToHaveCountAsync(3);
        await s.ClickAsync(freelancer, freelancer.Locator("#AcceptTerms"), "freelancer-accepted-amendment");

        // In force: three milestones, the client funds the two left (250 + 50).
        await s.RefreshAsync(client, "client-amended-active");
        await Expect(client.Locator("#TermsToAccept")).ToHaveCountAsync(0);
        await Expect(E2ESession.Milestone(client, 3)).ToHaveCountAsync(1);
        await Expect(client.Locator("#FundAll")).ToHaveTextAsync("Fund all remaining milestones (300.00 USD)");
        await client.Locator("#PartyTimeline summary").ClickAsync();
        await Expect(client.Locator("#PartyTimeline")).ToContainTextAsync("Default store accepted the late payment of 100.00 USD.");
        await Expect(client.Locator("#PartyTimeline")).ToContainTextAsync("version 2 is now in force");
        await s.ShotAsync(client, "client-timeline-after-amendment");
        s.AssertNoProblems();
    }
}
