using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

/// <summary>
/// Flows driven by time. The sandbox clock only moves forward and is shared by the whole host, so these tests take
/// every date from it and never depend on what other tests did to it.
/// </summary>
[Collection(EscrowHostCollection.Name)]
public sealed class TimerTests(EscrowHost host)
{
    /// <summary>
    /// Flow 4: a delivery the client never answers. 400 hours later (past the 14-day review window) the worker
    /// auto-approves it and releases 0.2 BTC minus the 5% fee = 0.19 BTC to the freelancer.
    /// </summary>
    [Fact]
    public async Task Silence_past_the_review_window_auto_approves_and_releases()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Logo animation (silent client)",
            "BTC",
            "0.20000000 BTC",
            [new MilestoneSpec("Animation", "0.2", "Five-second logo animation")],
            FeePercent: "5"));
        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        var freelancer = await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await s.OpenCheckoutAsync(client, 1, "0.20000000 BTC");
        await s.PayInFullAsync(client, "0.20000000 BTC");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-funded");
        await s.SubmitAsync(freelancer, 1, "Animation attached.", "https://example.com/animation.mp4", "freelancer-submitted");
        await Expect(E2ESession.Milestone(freelancer, 1).Locator(".claim")).ToHaveCountAsync(0);

        await host.AdvanceClockAsync(400);

        // The worker approves on its next pass; the freelancer's open page reloads itself when its claim link exists.
        var claim = await s.WaitForClaimAsync(freelancer, 1, "Release", "0.19000000 BTC", "freelancer-auto-released");
        await Expect(E2ESession.Milestone(freelancer, 1)).ToHaveAttributeAsync("data-state", "Released");
        await s.RefreshAsync(client, "client-sees-auto-approval");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "Released");
        await Expect(client.Locator("#ContractState")).ToHaveAttributeAsync("data-state", "Completed");
        await s.ClaimAsync(freelancer, claim, "0.19000000 BTC", "freelancer");

        await s.GotoAsync(agency, contract.Url, "agency-ledger");
        await Expect(agency.Locator("#ContractState")).ToHaveTextAsync("Completed");
        await Expect(agency.Locator("#Timeline")).ToContainTextAsync("Approved automatically: review window passed");
        await Expect(agency.Locator("#LedgerReleased")).ToHaveTextAsync("0.19000000 BTC");
        await Expect(agency.Locator("#Ledger tr").Nth(3)).ToContainTextAsync("0.01000000 BTC");
        await Expect(agency.Locator("#LedgerBalance")).ToHaveTextAsync("0.00000000 BTC");
        s.AssertNoProblems();
    }

    /// <summary>
    /// Flow 5, USD fiat-protected: milestone 1 (300 USD, 0.006 BTC at the sandbox rate) is funded but never delivered.
    /// Once its due date has passed the client cancels it for the missed delivery and gets a refund claim link for the
    /// fiat amount, 300.00 USD (no fee on refunds).
    /// </summary>
    [Fact]
    public async Task Missed_due_date_lets_the_client_cancel_and_claim_a_refund()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var today = DateOnly.FromDateTime((await host.SandboxNowAsync()).UtcDateTime);
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Copywriting (missed deadline, USD)",
            "USD",
            "400.00 USD",
            [
                new MilestoneSpec("Homepage copy", "300", "Homepage texts", today.AddDays(2)),
                new MilestoneSpec("Blog posts", "100", "Three blog posts"),
            ],
            FeePercent: "10",
            Fx: "FiatProtected"));
        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        await Expect(client.Locator("#TermsToAccept")).ToHaveCountAsync(0);
        await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await s.OpenCheckoutAsync(client, 1, "300.00 USD");
        await s.PayInFullAsync(client, "300.00 USD");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-funded");
        var m1 = E2ESession.Milestone(client, 1);
        await Expect(m1).ToHaveAttributeAsync("data-state", "Funded");
        await Expect(m1.Locator(".funded")).ToContainTextAsync("300.00 USD of 300.00 USD (0.00600000 BTC received)");
        await Expect(m1.Locator(".due")).ToHaveTextAsync($"{today.AddDays(2):yyyy-MM-dd}");
        await Expect(m1.Locator(".cancel-missed")).ToHaveCountAsync(0);

        await host.AdvanceClockAsync(400);

        // The worker marks the milestone overdue; the client's open page reloads itself and offers the cancellation.
        await Expect(m1).ToContainTextAsync("The due date passed without a delivery.", new() { Timeout = 20_000 });
        await client.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.Load);
        await s.ShotAsync(client, "client-sees-overdue");
        var cancel = m1.Locator(".cancel-missed");
        await Expect(cancel).ToHaveTextAsync("Cancel: due date missed (refund 300.00 USD)");
        await s.ClickAsync(client, cancel, "client-confirms-cancellation");
        await Expect(client.Locator("#ConfirmHeading")).ToHaveTextAsync("Cancel milestone 1 and refund 300.00 USD to you?");
        await s.ClickAsync(client, client.Locator("#ConfirmButton"), "client-cancelled-milestone");
        await Expect(client.Locator("#EscrowNotice")).ToHaveTextAsync("The milestone was cancelled; what it held is being refunded to you.");
        await Expect(E2ESession.Milestone(client, 1)).ToHaveAttributeAsync("data-state", "Refunded");

        // Fiat-protected: the refund pays the fiat amount, whatever BTC it was funded with.
        var refund = await s.WaitForClaimAsync(client, 1, "Refund", "300.00 USD", "client-refund-link");
        await s.ClaimAsync(client, refund, "300.00 USD", "client");

        await s.GotoAsync(agency, contract.Url, "agency-ledger");
        await Expect(agency.Locator("#ContractState")).ToHaveTextAsync("Active");
        await Expect(agency.Locator("#Milestones tr[data-milestone='1']")).ToContainTextAsync("Refunded");
        await Expect(agency.Locator("#LedgerRefunded")).ToHaveTextAsync("300.00 USD");
        await Expect(agency.Locator("#LedgerReleased")).ToHaveTextAsync("0.00 USD");
        await Expect(agency.Locator("#LedgerBalance")).ToHaveTextAsync("0.00 USD");
        await Expect(agency.Locator("#Payouts tbody tr")).ToContainTextAsync("300.00 USD");
        await Expect(agency.Locator("#Timeline")).ToContainTextAsync("Due date missed");
        s.AssertNoProblems();
    }
}
