using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Odd requests a person or a bot may send: each gets a 4xx or a page, never a server error (Browser checks every answer).</summary>
public sealed class RobustnessTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Theory]
    [InlineData("/escrow/p/%E2%82%AC%F0%9F%98%80")]
    [InlineData("/escrow/p/..%2F..%2Fstores")]
    [InlineData("/escrow/p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("/escrow/p/x/status?x=%00")]
    [InlineData("/escrow/receipt/00000000-0000-0000-0000-000000000000")]
    [InlineData("/sandbox/claim/unknown")]
    [InlineData("/stores/default/plugins/escrow/contracts/not-a-guid")]
    [InlineData("/stores/default/plugins/escrow/disputes/00000000-0000-0000-0000-000000000000/00000000-0000-0000-0000-000000000000")]
    public async Task Odd_addresses_are_not_found(string url)
    {
        var staff = await app.StaffAsync();
        var page = await staff.GetAsync(url);
        Assert.True(page.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, page.ToString());
    }

    [Theory]
    [InlineData("?state=Bogus")]
    [InlineData("?page=-5")]
    [InlineData("?page=99999999999")]
    [InlineData("?page=2147483647")]
    [InlineData("?search=%00%01")]
    [InlineData("?state=Active&search=%25%5F%27%22")]
    public async Task The_contract_list_takes_any_filter(string query)
    {
        var staff = await app.StaffAsync();
        await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Listed"));
        var page = await staff.GetAsync(Urls.Staff() + query);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var long_ = await staff.GetAsync(Urls.Staff() + "?search=" + new string('q', 5000));
        Assert.Equal(HttpStatusCode.OK, long_.Status);
    }

    [Fact]
    public async Task Wrong_sign_in_says_so_and_signs_nobody_in()
    {
        var browser = app.NewBrowser();
        var login = await browser.OpenAsync("/login");
        var wrong = await browser.SubmitNoFollowAsync(login, "#LoginButton", ("Email", EscrowApp.AdminEmail), ("Password", "wrong password"));
        Assert.Equal(HttpStatusCode.OK, wrong.Status);
        Assert.Contains("the email or password is wrong", wrong.VisibleText);
        var empty = await browser.SubmitNoFollowAsync(wrong, "#LoginButton", ("Email", ""), ("Password", ""));
        Assert.Contains("the email or password is wrong", empty.VisibleText);
        Assert.True((await browser.GetAsync(Urls.Staff())).IsRedirect);
        // An outside return address is never followed after signing in.
        var outside = await browser.SubmitNoFollowAsync(empty, "#LoginButton", ("Email", EscrowApp.AdminEmail), ("Password", EscrowApp.AdminPassword), ("ReturnUrl", "https://evil.test/"));
        Assert.Equal("/", outside.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/setup")).Status);
    }

    [Fact]
    public async Task Milestone_ids_from_the_form_cannot_reach_another_contract()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var first = await flow.CreateDraftAsync(staff, ContractForm.Valid("First"));
        var firstMilestone = (await app.ContractAsync(first)).Milestones.OrderBy(m => m.Number).First().Id;
        var firstBefore = await app.SnapshotAsync(first);

        // A copied id in a new contract, and in an edit of another one: each contract keeps its own milestone.
        var second = await flow.CreateDraftAsync(staff, ContractForm.Valid("Second").With("Form.Milestones[0].Id", firstMilestone.ToString()));
        var third = await flow.CreateDraftAsync(staff, ContractForm.Valid("Third"));
        await staff.PostAsync($"{Urls.Contract(third)}/edit", ContractForm.Valid("Third edited").With("Form.Milestones[0].Id", firstMilestone.ToString()));
        Assert.Equal(firstBefore, await app.SnapshotAsync(first));
        Assert.Equal("Second", (await app.ContractAsync(second)).Title);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(Urls.Contract(third))).Status);

        // The same id twice in one form is refused.
        var twice = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid("Twice")
            .With("Form.Milestones[0].Id", firstMilestone.ToString()).With("Form.Milestones[1].Id", firstMilestone.ToString()));
        Assert.Equal(HttpStatusCode.OK, twice.Status);
        Assert.Contains("its own id", Flow.ErrorsOn(twice));
    }

    [Fact]
    public async Task User_text_is_shown_as_text_on_every_page()
    {
        const string attack = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var form = ContractForm.Valid("Title " + attack)
            .With("Form.Scope", "Scope " + attack)
            .With("Form.Client.Name", "Client " + attack)
            .With("Form.Freelancer.Name", "Freelancer " + attack)
            .With("Form.Milestones[0].Title", "Milestone " + attack)
            .With("Form.Milestones[0].Deliverable", "Deliverable " + attack);
        var c = await flow.FundedAsync(staff, form);
        await flow.OpenDisputeAsync(c, 1);

        foreach (var (browser, url) in new[]
        {
            (staff, Urls.Staff()), (staff, Urls.Contract(c.Id)), (staff, $"{Urls.Contract(c.Id)}/edit"), (staff, Urls.Disputes()),
            (staff, Urls.Dispute(c.Id, c.MilestoneIds[0])), (c.Client, c.ClientUrl), (c.Freelancer, c.FreelancerUrl), (c.Client, Urls.Receipt(c.Id)),
        })
        {
            var page = await browser.OpenAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            SafeHtml.AssertNothingRuns(page.Document);
            Assert.Contains("<script>alert(1)</script>", page.Document.Body!.TextContent + string.Join("", page.Document.QuerySelectorAll("input, textarea").Select(e => e.GetAttribute("value") + e.TextContent)));
        }
    }

    [Fact]
    public async Task Markdown_in_user_text_is_formatted_on_every_page_and_nothing_in_it_runs()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var form = ContractForm.Valid("Markdown attack").With("Form.Scope", SafeHtml.Attack).With("Form.Milestones[0].Deliverable", SafeHtml.Attack);
        var c = await flow.ProposedAsync(staff, form);

        // The terms offered for acceptance show the scope and deliverables formatted.
        var offered = await c.Client.OpenAsync(c.ClientUrl);
        SafeHtml.AssertNothingRuns(offered.Document);
        SafeHtml.AssertFormatted(offered.Get("#TermsToAccept"));

        await flow.AcceptAsync(c.Client, c.ClientUrl);
        await flow.AcceptAsync(c.Freelancer, c.FreelancerUrl);
        await flow.FundAsync(c, 1);
        var delivered = await c.Freelancer.SubmitAsync(await c.Freelancer.OpenAsync(c.FreelancerUrl), "#Milestone1 .submit-deliverable", ("message", SafeHtml.Attack), ("links", ""));
        Assert.Null(delivered.Find("#EscrowError"));
        var disputed = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .open-dispute", ("reason", SafeHtml.Attack));
        Assert.Null(disputed.Find("#EscrowError"));
        var messaged = await c.Client.SubmitAsync(disputed, "#Milestone1 .post-message", ("text", SafeHtml.Attack));
        Assert.Null(messaged.Find("#EscrowError"));

        foreach (var (browser, url, formatted) in new[]
        {
            (c.Client, c.ClientUrl, "#Milestone1 .review-entry"), (c.Client, c.ClientUrl, "#Milestone1 .dispute"), (c.Client, c.ClientUrl, "#Milestone1 .dispute-message"),
            (c.Freelancer, c.FreelancerUrl, "#Milestone1 .dispute-message"), (staff, Urls.Dispute(c.Id, c.MilestoneIds[0]), ".dispute-message"),
            (staff, Urls.Dispute(c.Id, c.MilestoneIds[0]), ".col-lg-7"), (staff, Urls.Contract(c.Id), null), (staff, Urls.Disputes(), null),
        })
        {
            var page = await browser.OpenAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            SafeHtml.AssertNothingRuns(page.Document);
            if (formatted is not null)
                SafeHtml.AssertFormatted(page.Get(formatted));
        }

        // Only the display changes: the terms (and so their hash) and the stored messages keep the text exactly as typed.
        var contract = await app.ContractAsync(c.Id);
        Assert.Equal(SafeHtml.Attack, contract.CurrentTerms().Scope);
        Assert.Equal(SafeHtml.Attack, contract.CurrentTerms().Milestones[0].Deliverable);
        Assert.Equal(SafeHtml.Attack, contract.Disputes.Single().Reason);
    }

    [Fact]
    public async Task Simultaneous_approvals_release_once_and_never_fail()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).SubmittedAsync(staff);
        await c.Client.OpenAsync(c.ClientUrl);
        var token = await c.Client.TokenAsync();
        var url = $"{c.ClientUrl}/milestones/{c.MilestoneIds[0]}/approve";

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => c.Client.PostAsync(url, [new("__RequestVerificationToken", token), new("confirm", "yes")])));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Redirect, a.Status));
        var contract = await app.ContractAsync(c.Id);
        Assert.Single(contract.Payouts);
        // Approved, or already Released by the worker's pass.
        Assert.Contains(contract.Milestone(c.MilestoneIds[0]).State, new[] { Core.Milestones.MilestoneState.Approved, Core.Milestones.MilestoneState.Released });
    }

    [Fact]
    public async Task The_clock_with_a_wrong_content_type_is_refused_clearly()
    {
        var answer = await app.NewBrowser().SendJsonAsync("/sandbox/clock/advance", "hours=5", "application/x-www-form-urlencoded");
        Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, answer.ToString());
        Assert.DoesNotContain("does not exist", answer.Body);
    }

    [Fact]
    public async Task An_expired_form_says_what_happened()
    {
        var staff = await app.StaffAsync();
        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid(), antiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("reload the page", page.Body);
    }
}
