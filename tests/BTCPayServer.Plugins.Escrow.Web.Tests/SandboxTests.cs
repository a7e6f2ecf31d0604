using System.Net;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

public sealed class SandboxTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Paying_a_checkout_in_full_funds_the_milestone()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var paid = await _flow.FundAsync(c, 1);
        Assert.NotNull(paid.Find("#SandboxBanner"));

        var back = await c.Client.OpenAsync(paid.Get("#BackToContract").GetAttribute("href")!);
        Assert.Equal(c.ClientUrl, back.Url.AbsolutePath);
        Assert.Equal(nameof(MilestoneState.Funded), back.Get("#Milestone1").GetAttribute("data-state"));
        Assert.Equal(nameof(MilestoneState.Pending), back.Get("#Milestone2").GetAttribute("data-state"));
        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Equal("Funded", details.Text("#Milestones tr[data-milestone='1'] .badge"));
        Assert.Equal("0.01000000 BTC", details.Text("#LedgerBalance"));
        Assert.Equal(0.01m, (await app.ContractAsync(c.Id)).Ledger.Balance.Amount);
    }

    [Fact]
    public async Task Partial_and_bad_payments_leave_the_milestone_unfunded()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var checkout = await c.Client.SubmitAsync(page, "#Milestone1 .fund-milestone");
        foreach (var bad in new[] { "abc", "-1", "0", "0.000000001", "" })
        {
            var refused = await c.Client.SubmitAsync(checkout, "#PayPart", ("amount", bad));
            Assert.True(refused.Find("#SandboxError")?.TextContent.Length > 0, $"No error for '{bad}'");
            Assert.Equal("New", refused.Text("#InvoiceStatus"));
        }
        var part = await c.Client.SubmitAsync(checkout, "#PayPart", ("amount", "0.004"));
        Assert.Equal("New", part.Text("#InvoiceStatus"));
        var party = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Equal(nameof(MilestoneState.Pending), party.Get("#Milestone1").GetAttribute("data-state"));
        Assert.Equal(HttpStatusCode.NotFound, (await c.Client.GetAsync("/sandbox/checkout/sbx_inv_unknown")).Status);
    }

    [Fact]
    public async Task Approval_makes_a_claim_link_that_pays_out()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.SubmittedAsync(staff);
        var client = await c.Client.OpenAsync(c.ClientUrl);
        var approved = await c.Client.SubmitAsync(await c.Client.SubmitAsync(client, "#Milestone1 .approve-milestone"), "#ConfirmButton");
        Assert.Contains("Approved", approved.Text("#EscrowNotice"));

        // The worker (every 0.2 s here) turns the release into a pull payment whose claim link shows on the freelancer's page.
        var claimLink = await Eventually.UntilAsync(
            async () => (await c.Freelancer.OpenAsync(c.FreelancerUrl)).Find("#Milestone1 .claim-link")?.GetAttribute("href"),
            link => link is not null, "the claim link on the freelancer's page");
        var claim = await c.Freelancer.OpenAsync(new Uri(claimLink!).AbsolutePath);
        Assert.Equal("0.01000000 BTC", claim.Text("#ClaimAmount"));
        // What the freelancer reads: the contract and milestone by name, no ids or keys.
        Assert.Equal("Website redesign — milestone 1: Milestone 1 (release) · for the freelancer", claim.Text("#ClaimTitle"));
        var empty = await c.Freelancer.SubmitAsync(claim, "#ClaimPayout", ("destination", ""));
        Assert.True(empty.Find("#SandboxError") is not null);
        var done = await c.Freelancer.SubmitAsync(claim, "#ClaimPayout", ("destination", "bcrt1qexampleaddress"));
        Assert.Contains("Paid out", done.Text("#ClaimStatus"));
        var contract = await app.ContractAsync(c.Id);
        Assert.Equal(PayoutStatus.Completed, contract.Payouts.Single().Status);
        Assert.Empty(app.LoggedErrors);
    }

    [Fact]
    public async Task Sandbox_and_account_posts_without_an_antiforgery_token_are_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var checkout = await c.Client.SubmitAsync(page, "#Milestone1 .fund-milestone");
        var invoice = checkout.Url.AbsolutePath;
        var before = await app.SnapshotAsync(c.Id);

        var stranger = app.NewBrowser();
        foreach (var (url, fields) in new[]
        {
            ($"{invoice}/pay", new[] { ("amount", "0.01") }),
            ($"{invoice}/expire", Array.Empty<(string, string)>()),
            ($"{invoice}/invalidate", Array.Empty<(string, string)>()),
        })
        {
            var answer = await stranger.PostAsync(url, fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)), antiforgery: false);
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        }
        Assert.Equal("New", (await stranger.GetAsync(invoice)).Text("#InvoiceStatus"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        Assert.Equal(HttpStatusCode.BadRequest, (await stranger.PostAsync("/login", [new("Email", EscrowApp.AdminEmail), new("Password", EscrowApp.AdminPassword)], antiforgery: false)).Status);
        Assert.True((await stranger.GetAsync(Urls.Staff())).IsRedirect);
        Assert.Equal(HttpStatusCode.BadRequest, (await staff.PostAsync("/logout", [], antiforgery: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(Urls.Staff())).Status);
    }

    public static TheoryData<string, string> BadClockBodies => new()
    {
        { "application/json", "{\"hours\": 0}" },
        { "application/json", "{\"hours\": -5}" },
        { "application/json", "{\"hours\": 87601}" },
        { "application/json", "{\"hours\": 1e-12}" },
        { "application/json", "{\"hours\": 1e400}" },
        { "application/json", "{\"hours\": \"ten\"}" },
        { "application/json", "{}" },
        { "application/json", "[]" },
        { "application/json", "null" },
        { "application/json", "not json" },
        { "application/json", "" },
    };

    [Theory]
    [MemberData(nameof(BadClockBodies))]
    public async Task The_clock_refuses_bad_input_with_problem_details(string contentType, string body)
    {
        var browser = app.NewBrowser();
        var before = JsonDocument.Parse((await browser.GetAsync("/sandbox/clock")).Body).RootElement.GetProperty("offsetHours").GetDouble();

        var answer = await browser.SendJsonAsync("/sandbox/clock/advance", body, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Contains("hours", problem.GetProperty("detail").GetString());
        var after = JsonDocument.Parse((await browser.GetAsync("/sandbox/clock")).Body).RootElement.GetProperty("offsetHours").GetDouble();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_clock_moves_forward_and_timers_follow()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.SubmittedAsync(staff);
        var answer = await app.NewBrowser().SendJsonAsync("/sandbox/clock/advance", "{\"hours\": 400}");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(JsonDocument.Parse(answer.Body).RootElement.GetProperty("offsetHours").GetDouble() >= 400);

        // Past the 14-day review window: the worker approves on its own.
        await Eventually.UntilAsync(async () => (await app.ContractAsync(c.Id)).Milestone(c.MilestoneIds[0]).State,
            state => state != MilestoneState.Submitted, "the worker's automatic approval");
    }
}
