using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>What the bad input sweep found, each pinned by a test of its own.</summary>
public sealed class FoundBySweepTests(SweepApp app) : IClassFixture<SweepApp>
{
    [Fact]
    public async Task A_checkbox_posted_with_a_value_that_is_no_boolean_shows_an_error_not_a_500()
    {
        var url = $"{Urls.Staff()}/settings";
        var page = await app.Staff.OpenAsync(url);
        var before = await app.SettingsSnapshotAsync();

        var refused = await app.Staff.SubmitAsync(page, "#SaveSettings", ("AutoApproveClaims", new string('t', 201)));

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.NotEmpty(refused.Get("#SettingsForm .text-danger").TextContent.Trim());
        Assert.Equal(before, await app.SettingsSnapshotAsync());
    }

    [Theory]
    [InlineData("Form.Currency")]
    [InlineData("Form.Fx")]
    [InlineData("Form.ReviewWindow")]
    [InlineData("Form.Milestones[0].DueDate")]
    public async Task A_refused_value_is_quoted_short_in_its_message(string field)
    {
        await app.Staff.OpenAsync(Urls.NewContract());
        var page = await app.Staff.PostAsync(Urls.NewContract(), ContractForm.Valid().With(field, new string('q', 100_000)));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var message = Sweeper.ErrorShown(page);
        Assert.NotEmpty(message);
        Assert.True(message.Length < 300, $"{message.Length} characters: {message[..Math.Min(300, message.Length)]}");
    }

    [Fact]
    public async Task A_sandbox_claim_to_a_destination_with_a_control_character_is_refused()
    {
        var (contract, pullPayment) = await app.PullPaymentAsync();
        var before = await app.SandboxSnapshotAsync(contract.Id);
        var browser = app.NewBrowser();

        var page = await browser.FollowAsync(await browser.PostAsync($"/sandbox/claim/{pullPayment}", [new("destination", "bc1q\u0007evil")]));

        Assert.Contains("one line", page.Text("#SandboxError"));
        Assert.Equal(before, await app.SandboxSnapshotAsync(contract.Id));
    }

    [Fact]
    public async Task The_agencys_ruling_stays_readable_to_both_parties_after_the_contract_completes()
    {
        var c = await app.NewContractAsync(1);
        await app.FundAsync(c, c.MilestoneIds);
        var m = c.MilestoneIds[0];
        await app.WithAsync(async sp =>
        {
            await sp.GetRequiredService<PartyActions>().OpenDisputeAsync(c.ClientToken, m, "Half of it is missing.", CancellationToken.None);
            await sp.GetRequiredService<PartyActions>().EscalateDisputeAsync(c.FreelancerToken, m, CancellationToken.None);
            await sp.GetRequiredService<AgencyDecisions>().RuleOnDisputeAsync(EscrowApp.StoreId, c.Id, m, 0.0004m, "Forty percent was delivered.", Actor.Agency("staff"), CancellationToken.None);
        });
        Assert.Equal(ContractState.Completed, (await app.ContractAsync(c.Id)).State);

        foreach (var url in new[] { c.ClientUrl, c.FreelancerUrl })
        {
            var page = await app.NewBrowser().GetAsync(url);
            Assert.Contains("Forty percent was delivered.", page.Get("#Milestone1 .dispute").TextContent);
            Assert.Empty(page.Document.QuerySelectorAll("#Milestone1 form"));
        }
    }
}
