using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>What happened, told to the parties in words; the reasons the agency gives reach both of them.</summary>
public sealed partial class PartyTimelineTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_timeline_tells_the_story_in_words_without_internal_names_or_references()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var c = await flow.SubmittedAsync(staff);
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var lines = page.Document.QuerySelectorAll("#PartyTimeline .timeline-line").Select(e => e.TextContent.Trim()).ToList();

        // Newest first, each a sentence; the client is "you", the freelancer is named by role.
        Assert.Contains("The freelancer delivered milestone 1; the review window ends", lines[0]);
        Assert.Contains(lines, l => l.Contains("Milestone 1 is fully funded (0.01000000 BTC).", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("You accepted the terms, version 1.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Both parties accepted the terms (version 1): the contract is active.", StringComparison.Ordinal));
        var freelancerPage = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Contains("You delivered milestone 1", freelancerPage.Text("#PartyTimeline .timeline-line"));

        var contract = await app.ContractAsync(c.Id);
        var text = page.Text("#PartyTimeline");
        // No event keys (milestone.funded), no payment, invoice or pull-payment references, no link or hash.
        Assert.DoesNotMatch(EventKey(), text);
        Assert.DoesNotContain("sbx_", text, StringComparison.Ordinal);
        foreach (var secret in new[] { c.ClientToken, c.FreelancerToken, contract.LatestTermsVersion!.Hash })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        // Bookkeeping the parties don't act on is left out.
        Assert.DoesNotContain("link", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("invoice created", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_agencys_reason_for_cancelling_is_shown_to_both_parties()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).FundedAsync(staff);
        const string reason = "The client's **shop closed**; everything held is refunded.";
        var cancelled = await staff.PostAsync($"{Urls.Contract(c.Id)}/cancel", ("reason", reason), ("confirm", "yes"));
        Assert.True(cancelled.IsRedirect, Flow.ErrorsOn(cancelled));

        foreach (var (party, url) in new[] { (c.Client, c.ClientUrl), (c.Freelancer, c.FreelancerUrl) })
        {
            var page = await party.OpenAsync(url);
            var banner = page.Get("#CancelledReason");
            Assert.Contains("Default store cancelled this contract.", banner.TextContent);
            // The reason is Markdown like every text a person writes here.
            Assert.Contains(banner.QuerySelectorAll("p strong"), e => e.TextContent == "shop closed");
            Assert.Contains("everything held is refunded", banner.TextContent);
            var line = page.Document.QuerySelectorAll("#PartyTimeline .timeline-line").Select(e => e.TextContent)
                .Single(t => t.Contains("Default store cancelled the contract.", StringComparison.Ordinal));
            Assert.Contains("Reason:", line);
            Assert.Contains("shop closed", line);
            // Milestone 1 was funded, so it was refunded: its card says why.
            Assert.Equal("Why it was cancelled: contract cancelled", Regex.Replace(page.Text("#Milestone1 .milestone-cancel-reason"), @"\s+", " "));
        }
    }

    [Fact]
    public async Task The_ruling_and_its_reason_are_in_both_parties_timelines()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var c = await flow.SubmittedAsync(staff);
        await flow.OpenDisputeAsync(c, 1);
        var rule = Urls.Dispute(c.Id, c.MilestoneIds[0]);
        await staff.SubmitAsync(await staff.OpenAsync(rule), "#EscalateDispute");
        var ruled = await staff.PostAsync(rule, ("Form.FreelancerShare", "60"), ("Form.Unit", "Percent"), ("Form.Reason", "Most of the work was delivered."), ("confirm", "yes"));
        Assert.True(ruled.IsRedirect, Flow.ErrorsOn(ruled));

        foreach (var (party, url) in new[] { (c.Client, c.ClientUrl), (c.Freelancer, c.FreelancerUrl) })
        {
            var page = await party.OpenAsync(url);
            var line = page.Document.QuerySelectorAll("#PartyTimeline .timeline-line").Select(e => e.TextContent).Single(t => t.Contains("ruled on milestone 1", StringComparison.Ordinal));
            Assert.Contains("Default store ruled on milestone 1: 0.00600000 BTC to the freelancer, the rest back to the client.", line);
            Assert.Contains("Most of the work was delivered.", line);
        }
    }

    [GeneratedRegex(@"\b(contract|terms|payment|invoice|milestone|credit|dispute|payout|access)\.[a-z-]+\b")]
    private static partial Regex EventKey();
}
