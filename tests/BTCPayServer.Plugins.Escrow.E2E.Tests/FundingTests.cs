using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class FundingTests(EscrowHost host)
{
    /// <summary>
    /// Flow 2, USD fiat-protected at the sandbox rate of 50,000 USD/BTC: milestone 1 is paid in two parts (40 + 60),
    /// milestone 2 is overpaid (250 for 200) and the 50 USD surplus rolls forward into milestone 3.
    /// </summary>
    [Fact]
    public async Task Partial_payment_then_the_rest_funds_and_an_overpayment_rolls_forward()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        var contract = await s.CreateContractAsync(agency, new ContractSpec(
            "Brand identity (USD)",
            "USD",
            "450.00 USD",
            [
                new MilestoneSpec("Moodboard", "100", "Moodboard and direction"),
                new MilestoneSpec("Logo", "200", "Logo in three variants"),
                new MilestoneSpec("Guidelines", "150", "Brand guidelines PDF"),
            ],
            Fx: "FiatProtected",
            Overpayment: "RollForward"));
        var client = await s.OpenAndAcceptAsync("client", contract.ClientLink, contract.TermsHash);
        await s.OpenAndAcceptAsync("freelancer", contract.FreelancerLink, contract.TermsHash);
        await s.RefreshAsync(client, "client-active");
        await Expect(client.Locator("#TermsToAccept")).ToHaveCountAsync(0);
        await Expect(client.Locator("#FundAll")).ToHaveTextAsync("Fund all remaining milestones (450.00 USD)");

        // Milestone 1: pay part, then the rest.
        await s.OpenCheckoutAsync(client, 1, "100.00 USD");
        await Expect(client.Locator(".card-body")).ToContainTextAsync("≈ 0.00200000 BTC");
        await s.PayAmountAsync(client, "40.00", "onchain", "checkout-part-paid");
        await Expect(client.Locator("#InvoiceStatus")).ToHaveTextAsync("New");
        await Expect(client.Locator(".card-body")).ToContainTextAsync("paid 40.00 USD");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-after-part-payment");
        var m1 = E2ESession.Milestone(client, 1);
        await Expect(m1).ToHaveAttributeAsync("data-state", "Pending");
        // The same open invoice is offered again for the rest.
        await s.OpenCheckoutAsync(client, 1, "100.00 USD");
        await Expect(client.Locator(".card-body")).ToContainTextAsync("paid 40.00 USD");
        await s.PayInFullAsync(client, "60.00 USD");
        await Expect(client.Locator(".card-body")).ToContainTextAsync("paid 100.00 USD");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-milestone-1-funded");
        await Expect(m1).ToHaveAttributeAsync("data-state", "Funded");
        await Expect(m1.Locator(".funded")).ToContainTextAsync("100.00 USD of 100.00 USD (0.00200000 BTC received)");

        // Milestone 2: pay 250 for 200 (Lightning); the surplus of 50 goes to milestone 3.
        await s.OpenCheckoutAsync(client, 2, "200.00 USD");
        await s.PayAmountAsync(client, "250.00", "lightning", "checkout-overpaid");
        await Expect(client.Locator("#InvoiceStatus")).ToHaveTextAsync("Settled");
        await s.BackFromCheckoutAsync(client, contract.ClientLink, "client-after-overpayment");
        var m2 = E2ESession.Milestone(client, 2);
        var m3 = E2ESession.Milestone(client, 3);
        await Expect(m2).ToHaveAttributeAsync("data-state", "Funded");
        await Expect(m2.Locator(".funded")).ToContainTextAsync("200.00 USD of 200.00 USD (0.00400000 BTC received)");
        await Expect(m3).ToHaveAttributeAsync("data-state", "Pending");
        await Expect(m3.Locator(".funded")).ToContainTextAsync("50.00 USD of 150.00 USD (0.00100000 BTC received)");
        await Expect(m3.Locator(".fund-milestone")).ToHaveTextAsync("Fund this milestone (100.00 USD)");
        await Expect(client.Locator("#FundAll")).ToHaveTextAsync("Fund all remaining milestones (100.00 USD)");

        // The agency's ledger shows both values: 350 USD received, all of it funded to milestones, no credit left.
        await s.GotoAsync(agency, contract.Url, "agency-ledger");
        var ledger = agency.Locator("#Ledger");
        await Expect(ledger.Locator("tr").Nth(0)).ToContainTextAsync("350.00 USD");
        await Expect(ledger.Locator("tr").Nth(1)).ToContainTextAsync("350.00 USD");
        await Expect(ledger.Locator("tr").Nth(5)).ToContainTextAsync("0.00 USD");
        await Expect(agency.Locator("#LedgerBalance")).ToHaveTextAsync("350.00 USD");
        await Expect(agency.Locator("#Milestones tr[data-milestone='3'] td").Nth(4)).ToContainTextAsync("50.00");
        await Expect(agency.Locator("#Milestones tr[data-milestone='3'] td").Nth(4)).ToContainTextAsync("0.00100000 BTC");
        await Expect(agency.Locator("#Payments tbody tr")).ToHaveCountAsync(3);
        await Expect(agency.Locator("#Payments tbody")).ToContainTextAsync("BTC-LN");
        await Expect(agency.Locator("#Timeline")).ToContainTextAsync("Credit applied to a milestone");
        s.AssertNoProblems();
    }
}
