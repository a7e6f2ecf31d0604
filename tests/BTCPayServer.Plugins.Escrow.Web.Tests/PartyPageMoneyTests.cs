using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>What a party reads about money: fees apart from the amount, late payments held and never asked for again.</summary>
public sealed class PartyPageMoneyTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    private static Dictionary<string, string> UsdWithFee(string payer) =>
        ContractForm.Valid("Shop build", "USD", "1000.00", "500.00")
            .With("Form.Fee.Percent", "6").With("Form.Fee.ChargedTo", payer);

    [Fact]
    public async Task A_client_paid_fee_is_shown_on_top_of_the_amount_and_never_counted_as_funding()
    {
        var c = await _flow.ActiveAsync(await app.StaffAsync(), UsdWithFee("Client"));
        var before = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Equal("60.00 USD, paid by the client on top of the amount", before.Text("#Milestone1 .fee"));
        Assert.Equal("1060.00 USD (1000.00 USD + 60.00 USD fee)", before.Text("#Milestone1 .client-pays"));
        Assert.Equal("1000.00 USD", before.Text("#Milestone1 .freelancer-receives"));
        Assert.Contains("Fund milestone 1 (1060.00 USD incl. 60.00 USD fee)", before.Text("#NextStep"));

        await _flow.FundAsync(c, 1);

        var freelancer = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.StartsWith("1000.00 USD of 1000.00 USD; fee paid 60.00 USD of 60.00 USD", freelancer.Text("#Milestone1 .funded"));
        Assert.Contains("Deliver milestone 1, due", freelancer.Text("#NextStep"));
        Assert.Equal("freelancer", freelancer.Text("#PartyRole"));
        Assert.Equal("1060.00 USD", freelancer.Text("#TotalInEscrow"));
        Assert.Equal("0.00 USD", freelancer.Text("#TotalPaid"));
    }

    [Fact]
    public async Task A_freelancer_paid_fee_is_shown_as_deducted_from_what_the_freelancer_receives()
    {
        var c = await _flow.ActiveAsync(await app.StaffAsync(), UsdWithFee("Freelancer"));
        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Equal("60.00 USD, paid by the freelancer, deducted from the payment", page.Text("#Milestone1 .fee"));
        Assert.Equal("940.00 USD (1000.00 USD − 60.00 USD fee)", page.Text("#Milestone1 .freelancer-receives"));
        Assert.Null(page.Find("#Milestone1 .client-pays"));
        Assert.Contains("Waiting for Alice Client to fund milestone 1", page.Text("#NextStep"));
    }

    [Fact]
    public async Task A_late_payment_is_shown_to_the_client_as_held_and_is_not_offered_for_funding_again()
    {
        var c = await _flow.ActiveAsync(await app.StaffAsync(), ContractForm.Valid("Late shop", "USD", "100.00", "50.00"));
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var checkout = await c.Client.SubmitAsync(page, "#Milestone1 .fund-milestone");
        checkout = await c.Client.SubmitAsync(checkout, "#ExpireInvoice");
        var paid = await c.Client.SubmitAsync(checkout, "#PayInFull");
        Assert.Contains(PaymentStatus.AwaitingAcceptance, (await app.ContractAsync(c.Id)).Payments.Select(p => p.Status));

        var client = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Contains("100.00 USD you paid after the invoice expired is held for the agency's decision; you don't need to pay again.", client.Text(".late-payment"));
        Assert.Contains("100.00 USD paid late, held for the agency's decision", client.Text("#Milestone1 .held-late"));
        Assert.Null(client.Find("#Milestone1 .fund-milestone"));
        // "Fund all" covers milestone 2 only.
        Assert.Equal("Fund all remaining milestones (50.00 USD)", client.Text("#FundAll"));
        Assert.NotNull(client.Find("#Milestone2 .fund-milestone"));
        Assert.Contains("held for the agency's decision", client.Text("#NextStep"));
        Assert.DoesNotContain("Fund milestone 1", client.Text("#NextStep"));
        Assert.Equal("0.00 USD of 100.00 USD", client.Text("#Milestone1 .funded"));
    }
}
