using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The terms a party accepted stay readable, and an amendment says what it changes before it is accepted.</summary>
public sealed class PartyTermsTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_accepted_terms_stay_on_the_party_page_after_acceptance()
    {
        var c = await new Flow(app).ActiveAsync(await app.StaffAsync(), ContractForm.Valid("Readable terms", "USD", "1000.00").With("Form.Fee.Percent", "6"));
        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        var terms = page.Get("#AcceptedTerms");
        Assert.Contains("Terms you accepted: version 1", terms.TextContent);
        Assert.Contains((await app.ContractAsync(c.Id)).LatestTermsVersion!.Hash, terms.TextContent);
        Assert.Contains("Three pages, responsive", terms.TextContent);
        Assert.Contains("6% + 0.00 USD per milestone, paid by the freelancer out of each payment: milestone 1: 60.00 USD", page.Text("#AcceptedTerms .terms-fee"));
        Assert.Null(page.Find("#TermsToAccept"));
    }

    [Fact]
    public async Task An_amendment_lists_what_changed_against_the_accepted_terms_before_asking_again()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).FundedAsync(staff, ContractForm.Valid("Amended shop", "USD", "100.00", "250.00"));
        var contract = await app.ContractAsync(c.Id);
        var form = ContractForm.Valid("Amended shop", "USD", "100.00", "300.00", "75.00");
        for (var i = 0; i < c.MilestoneIds.Count; i++)
        {
            form[$"Form.Milestones[{i}].Id"] = c.MilestoneIds[i].ToString();
            form[$"Form.Milestones[{i}].DueDate"] = contract.Milestones.Single(m => m.Id == c.MilestoneIds[i]).DueDate!.Value.ToString("yyyy-MM-dd");
        }
        var saved = await staff.PostAsync($"{Urls.Contract(c.Id)}/edit", form);
        Assert.True(saved.IsRedirect, Flow.ErrorsOn(saved));

        var page = await c.Client.OpenAsync(c.ClientUrl);
        var changes = page.Document.QuerySelectorAll("#TermsChanged .terms-change").Select(e => e.TextContent.Trim()).ToList();
        Assert.Contains("Milestone 2 \"Milestone 2\": amount 250.00 USD becomes 300.00 USD.", changes);
        Assert.Contains(changes, x => x.StartsWith("Milestone 3 \"Milestone 3\" (75.00 USD, due ", StringComparison.Ordinal) && x.EndsWith(") was added.", StringComparison.Ordinal));
        Assert.Contains("Contract total: 350.00 USD becomes 475.00 USD.", changes);
        Assert.NotNull(page.Find("#AcceptTerms"));
        Assert.Contains("Terms you accepted: version 1", page.Text("#AcceptedTerms summary"));
    }
}
