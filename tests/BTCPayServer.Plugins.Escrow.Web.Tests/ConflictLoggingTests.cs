using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

public sealed class ConflictLoggingTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private const string ConflictMessage = "changed by someone else at the same time";

    /// <summary>
    /// Two acts of a party crossing (two tabs, a double click) is expected: the one that lost is told to try again, and
    /// the log gets one line for it, not EF's error entry with its stack trace.
    /// </summary>
    [Fact]
    public async Task A_party_act_that_crosses_another_logs_one_line_and_no_error()
    {
        var c = await OtherStoreContract.CreateAsync(app, EscrowApp.StoreId, "Crossing acts", "Cleo Client", "Finn Freelancer", "cleo@client.test", "Late");
        var url = $"{Urls.Party(c.FreelancerToken)}/milestones/{c.MilestoneId}/dispute/propose";
        var conflicts = 0;
        for (var round = 0; round < 20 && conflicts == 0; round++)
        {
            var browsers = Enumerable.Range(0, 6).Select(_ => app.NewBrowser()).ToList();
            var tokens = await Task.WhenAll(browsers.Select(b => b.TokenAsync()));
            var answers = await Task.WhenAll(browsers.Select((b, i) =>
                b.PostAsync(url, [new("freelancerAmount", $"0.{i + 1}"), new("note", $"Round {round}"), new("__RequestVerificationToken", tokens[i])])));
            foreach (var (browser, answer) in browsers.Zip(answers))
            {
                var page = await browser.FollowAsync(answer);
                if (page.Find("#EscrowError")?.TextContent.Contains(ConflictMessage) == true)
                    conflicts++;
            }
        }
        Assert.True(conflicts > 0, "No two acts crossed in 20 rounds of 6.");

        var efErrors = app.LoggedErrors.Where(e => e.Contains("Microsoft.EntityFrameworkCore") || e.Contains("DbUpdateConcurrencyException")).ToList();
        Assert.True(efErrors.Count == 0, $"{efErrors.Count} error entries, the first: {efErrors.FirstOrDefault()?[^Math.Min(2500, efErrors[0].Length)..]}");
        var lines = app.Logged.Where(e => e.Contains("crossed another change")).ToList();
        Assert.Equal(conflicts, lines.Count);
        Assert.All(lines, line => Assert.DoesNotContain("\n", line.Trim()));
        Assert.All(lines, line => Assert.DoesNotContain(c.FreelancerToken, line));
    }
}
