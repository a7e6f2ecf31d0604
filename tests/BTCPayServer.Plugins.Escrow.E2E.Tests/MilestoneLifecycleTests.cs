using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class MilestoneLifecycleTests(EscrowHost host)
{
    /// <summary>
    /// Flow 1: draft with three milestones → both parties accept → fund milestone 1 → submit → changes requested →
    /// resubmit → approve → the freelancer's claim link appears by itself → claimed → ledger and verified receipt.
    /// BTC contract with a 10% agency fee paid by the freelancer: 0.5 BTC releases 0.45 BTC and keeps 0.05 BTC.
    /// </summary>
    [Fact]
    public async Task Agency_drafts_parties_accept_fund_deliver_revise_approve_and_claim()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var today = DateOnly.FromDateTime((await host.SandboxNowAsync()).UtcDateTime);
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Web shop build",
            "BTC",
            "1.00000000 BTC",
            [
                new MilestoneSpec("Wireframes", "0.5", "Wireframes of every page", today.AddDays(30)),
                new MilestoneSpec("Shop front", "0.3", "Working shop front", today.AddDays(60)),
                new MilestoneSpec("Launch", "0.2", "Shop live on the domain"),
            ],
            FeePercent: "10"));

        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        await Expect(client.Locator("#WaitingForOther")).ToBeVisibleAsync();
        var freelancer = await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await Expect(freelancer.Locator("#ContractState")).ToHaveAttributeAsync("data-state", "Active");
        await Expect(E2ESession.Milestone(freelancer, 1)).ToHaveAttributeAsync("data-state", "Pending");

        // The client funds milestone 1 through the sandbox checkout and comes back.
        await s.OpenCheckoutAsync(client, 1, "0.50000000 BTC");
        await s.PayInFullAsync(client, "0.50000000 BTC");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-after-funding");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "Funded");
        await Expect(E2ESession.Milestone(client, 1).Locator(".funded")).ToContainTextAsync("0.50000000 BTC of 0.50000000 BTC");
        await Expect(E2ESession.Milestone(client, 2)).ToHaveAttributeAsync("data-state", "Pending");

        // Deliver, revise, deliver again.
        await s.SubmitAsync(freelancer, 1, "First wireframes attached.", "https://example.com/wireframes-v1", "freelancer-submitted");
        await s.RefreshAsync(client, "client-sees-delivery");
        var card = E2ESession.Milestone(client, 1);
        await Expect(card.Locator(".review-entry")).ToContainTextAsync("First wireframes attached.");
        await Expect(card.Locator(".review-countdown")).ToContainTextAsync("13 days 23 hours left");
        await card.Locator("textarea[name=message]").FillAsync("Please add the checkout page.");
        await s.ClickAsync(client, card.Locator(".request-changes"), "client-requested-changes");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("Your change request was sent.");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "ChangesRequested");

        await s.RefreshAsync(freelancer, "freelancer-sees-change-request");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".review-entry").Nth(1)).ToContainTextAsync("Please add the checkout page.");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".submit-deliverable")).ToHaveTextAsync("Resubmit");
        await s.SubmitAsync(freelancer, 1, "Wireframes with the checkout page.", "https://example.com/wireframes-v2", "freelancer-resubmitted");

        await s.RefreshAsync(client, "client-sees-resubmission");
        await Expect(E2ESession.Milestone(client, 1).Locator(".review-entry")).ToHaveCountAsync(3);
        // Approving releases money: a second, deliberate step states the figures first.
        await s.ClickAsync(client, E2ESession.Milestone(client, 1).Locator(".approve-milestone"), "client-confirms-approval");
        await Expect(client.Locator("#ConfirmHeading")).ToContainTextAsync("release 0.45000000 BTC to");
        await s.ClickAsync(client, client.Locator("#ConfirmButton"), "client-approved");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("Approved. The payment to the freelancer is on its way.");

        // The worker makes the pull payment within seconds; the freelancer's open page notices and reloads itself.
        var claimLink = await s.WaitForClaimAsync(freelancer, 1, "Release", "0.45000000 BTC", "freelancer-claim-link");
        await Expect(E2ESession.Milestone(freelancer, 1)).ToHaveAttributeAsync("data-state", "Released");
        await s.ClaimAsync(freelancer, claimLink, "0.45000000 BTC", "freelancer");
        await s.RefreshAsync(freelancer, "freelancer-paid-out");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".claim")).ToContainTextAsync("(paid out)");

        // The agency's ledger: 0.5 received and funded, 0.45 released, 0.05 fee, nothing left held.
        await s.GotoAsync(agency, contract.Url, "agency-ledger");
        await Expect(agency.Locator("#ContractState")).ToHaveTextAsync("Active");
        var row1 = agency.Locator("#Milestones tr[data-milestone='1']");
        await Expect(row1).ToContainTextAsync("Released");
        await Expect(row1.Locator("td").Nth(4)).ToHaveTextAsync("0.50000000 BTC");
        await Expect(row1.Locator("td").Nth(5)).ToContainTextAsync("0.45000000");
        await Expect(row1.Locator("td").Nth(5)).ToContainTextAsync("fee kept 0.05000000 BTC");
        await Expect(agency.Locator("#LedgerReleased")).ToHaveTextAsync("0.45000000 BTC");
        await Expect(agency.Locator("#LedgerRefunded")).ToHaveTextAsync("0.00000000 BTC");
        await Expect(agency.Locator("#LedgerBalance")).ToHaveTextAsync("0.00000000 BTC");
        await Expect(agency.Locator("#Payouts tbody tr")).ToHaveCountAsync(1);
        await Expect(agency.Locator("#Payouts tbody tr")).ToContainTextAsync("Completed");
        await Expect(agency.Locator("#AuditVerification")).ToContainTextAsync("verified");

        // The public receipt verifies the chain.
        await s.ClickAsync(agency, agency.Locator("#ReceiptLink"), "receipt");
        await Expect(agency.Locator("#ReceiptVerification")).ToContainTextAsync("Verified");
        await Expect(agency.Locator("#ReceiptTermsHash")).ToHaveTextAsync(contract.TermsHash);
        await Expect(agency.Locator("#Receipt")).ToContainTextAsync("accepted by both parties");

        // Signing out ends the staff session; the contract page then asks for a sign-in again.
        await s.GotoAsync(agency, contract.Url, "agency-before-sign-out");
        await s.ClickAsync(agency, agency.Locator("#Logout"), "signed-out");
        await Expect(agency.Locator("#LoginButton")).ToBeVisibleAsync();
        await s.GotoAsync(agency, contract.Url, "contract-needs-sign-in");
        await Expect(agency).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?ReturnUrl="));
        s.AssertNoProblems();
    }
}
