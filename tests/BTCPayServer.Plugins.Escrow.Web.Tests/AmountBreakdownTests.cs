using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The staff pages explain a milestone's money: a fee the client pays on top is never counted as funding the amount.</summary>
public sealed class AmountBreakdownTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    private static Dictionary<string, string> WithClientFee() =>
        ContractForm.Valid("Fee on top", "USD", "1000.00", "250.00")
            .With("Form.Fee.Percent", "6").With("Form.Fee.ChargedTo", "Client");

    [Fact]
    public async Task The_contract_list_counts_a_client_paid_fee_outside_the_funded_amount()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, WithClientFee());

        var list = await staff.OpenAsync(Urls.Staff() + "?search=Fee+on+top");
        var row = list.Document.QuerySelectorAll("#ContractList tbody tr").Single(r => r.InnerHtml.Contains(c.Id.ToString()));
        Assert.Equal("1250.00 USD", row.QuerySelector(".contract-total")!.TextContent.Trim());
        Assert.Equal("1000.00 USD", row.QuerySelector(".contract-funded")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_contract_page_shows_amount_fee_and_funding_per_milestone_with_their_currency()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, WithClientFee());

        var page = await staff.OpenAsync(Urls.Contract(c.Id));
        var first = page.Get("#Milestones tr[data-milestone='1']");
        Assert.StartsWith("1000.00 USD", first.QuerySelector(".milestone-amount")!.TextContent.Trim());
        Assert.Contains("fee 60.00 USD, paid by the client on top", first.QuerySelector(".milestone-amount")!.TextContent);
        var funded = first.QuerySelector(".milestone-funded")!.TextContent;
        Assert.StartsWith("1000.00 USD", funded.Trim());
        Assert.Contains("+ fee 60.00 USD", funded);
        Assert.StartsWith("250.00 USD", page.Get("#Milestones tr[data-milestone='2'] .milestone-amount").TextContent.Trim());
        Assert.StartsWith("0.00 USD", page.Get("#Milestones tr[data-milestone='2'] .milestone-funded").TextContent.Trim());
    }

    [Fact]
    public async Task The_ruling_page_separates_what_is_held_for_the_amount_from_the_fee_and_shows_no_empty_headings()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, WithClientFee());
        await _flow.SubmitDeliverableAsync(c, 1);
        await _flow.OpenDisputeAsync(c, 1);

        var page = await staff.OpenAsync(Urls.Dispute(c.Id, c.MilestoneIds[0]));
        Assert.Equal("1000.00 USD", page.Text("#HeldAmount"));
        Assert.Equal("60.00 USD", page.Text("#HeldFee"));
        var headings = page.Document.QuerySelectorAll("h5").Select(h => h.TextContent.Trim()).ToList();
        Assert.DoesNotContain("Messages", headings);
        Assert.DoesNotContain("Proposals", headings);
    }
}
