using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The contract page's timeline and payments read as words, with the raw entry one click away.</summary>
public sealed class StaffTimelineTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Timeline_entries_are_in_words_with_formatted_details_and_the_raw_entry_on_demand()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, ContractForm.Valid("Timeline in words", "USD", "100.00"));

        var page = await staff.OpenAsync(Urls.Contract(c.Id));
        var funding = page.Get("#Timeline tr[data-type='milestone.funding-received']");
        var cells = funding.QuerySelectorAll("td");
        Assert.Equal("Funding received", cells[3].TextContent.Trim());
        var details = funding.QuerySelector(".timeline-details")!.TextContent;
        Assert.Contains("milestone #1", details);
        Assert.Contains("100.00 USD", details);
        Assert.DoesNotContain("milestone.funding-received", details);
        Assert.Contains("milestone.funding-received", funding.QuerySelector("details.timeline-raw")!.TextContent);
        // No visible text of the timeline names an internal key outside the raw entries.
        foreach (var row in page.Document.QuerySelectorAll("#Timeline tbody tr"))
            Assert.DoesNotContain(row.GetAttribute("data-type")!, row.QuerySelectorAll("td").Take(4).Select(td => td.TextContent).Aggregate("", string.Concat));

        var payment = page.Get("#Payments tbody tr");
        Assert.Equal("counted", payment.QuerySelector("td[data-status]")!.TextContent.Trim());
        Assert.True(payment.QuerySelector("td small")!.TextContent.Trim().Length <= 16);
    }
}
