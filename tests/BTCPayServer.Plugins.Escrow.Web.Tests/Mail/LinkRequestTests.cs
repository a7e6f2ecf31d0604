using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Mail;

/// <summary>
/// The store's public "Email me my link" page, against the host's real SMTP outbox and an SMTP server in this process.
/// Each test uses its own party addresses (the per-address limit lives as long as the host).
/// </summary>
public sealed class LinkRequestTests(MailApp app) : IClassFixture<MailApp>
{
    private const string Page = "/escrow/stores/" + EscrowApp.StoreId + "/link";

    private async Task<ContractAtHand> ProposedWithAsync(string title, string client, string freelancer)
    {
        var form = ContractForm.Valid(title).With("Form.Client.Email", client).With("Form.Freelancer.Email", freelancer);
        return await new Flow(app).ProposedAsync(await app.StaffAsync(), form);
    }

    private static async Task<Page> AskAsync(Browser browser, string email)
    {
        var form = await browser.OpenAsync(Page);
        return await browser.SubmitNoFollowAsync(form, "#SendLink", ("Email", email));
    }

    private bool LinkEmailFor(MimeMessage m, string to, string title) =>
        m.To.ToString().Contains(to, StringComparison.OrdinalIgnoreCase) && (m.Subject ?? "") == $"{title}: your escrow link";

    [Fact]
    public async Task A_known_address_gets_a_link_that_opens_its_page_and_the_page_answers_exactly_as_for_an_unknown_one()
    {
        var contract = await ProposedWithAsync("Lost key cottage", "carla@client.test", "felix@freelancer.test");

        var known = await AskAsync(app.NewBrowser(), "Carla@Client.test");
        var unknown = await AskAsync(app.NewBrowser(), "nobody@nowhere.test");

        Assert.Equal(HttpStatusCode.Redirect, known.Status);
        Assert.Equal(known.Status, unknown.Status);
        Assert.Equal(known.Location, unknown.Location);
        var knownAnswer = await app.NewBrowser().OpenAsync(known.Location!.OriginalString);
        var unknownAnswer = await app.NewBrowser().OpenAsync(unknown.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, knownAnswer.Status);
        Assert.Equal(knownAnswer.Get("main").InnerHtml, unknownAnswer.Get("main").InnerHtml);
        Assert.Contains("Check your inbox", knownAnswer.Text("#LinkRequestSent"));

        var email = await app.Smtp.WaitForAsync(m => LinkEmailFor(m, "carla@client.test", "Lost key cottage"));
        var link = MailTests.LinkIn(email.TextBody);
        Assert.Contains("You asked for a link", email.TextBody);
        var page = await app.NewBrowser().GetAsync(new Uri(link).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("client", page.Text("#PartyRole"));
        Assert.Equal(contract.Id, (await app.FindByTokenAsync(Urls.TokenOf(link)))?.Id);
        // The link the agency copied still works; the request was recorded without any token.
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(contract.ClientUrl)).Status);
        var audit = await app.Services.GetRequiredService<IAuditLog>().ReadAsync(contract.Id, CancellationToken.None);
        Assert.Contains(audit, e => e.Type == "access.requested" && e.Data.Contains("Client"));
        Assert.All(audit, e => Assert.DoesNotContain(Urls.TokenOf(link), e.Data));
        Assert.All(audit, e => Assert.DoesNotContain(contract.ClientToken, e.Data));
        Assert.DoesNotContain(app.LogLines, l => l.Contains(Urls.TokenOf(link)) || l.Contains("carla@client.test", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(app.Smtp.Received, m => m.To.ToString().Contains("nobody@nowhere.test"));
    }

    [Fact]
    public async Task An_address_gets_at_most_three_link_emails_however_many_clients_ask()
    {
        await ProposedWithAsync("Flooded inbox", "flood@client.test", "calm@freelancer.test");

        for (var i = 0; i < LinkRequestLimits.PerAddress + 2; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await AskAsync(app.NewBrowser(), "flood@client.test")).Status);
        // Requests are worked through in order: once a later one's email is out, the earlier ones are done.
        await AskAsync(app.NewBrowser(), "calm@freelancer.test");
        await app.Smtp.WaitForAsync(m => LinkEmailFor(m, "calm@freelancer.test", "Flooded inbox"));

        Assert.Equal(LinkRequestLimits.PerAddress, app.Smtp.Received.Count(m => LinkEmailFor(m, "flood@client.test", "Flooded inbox")));
    }

    [Fact]
    public async Task A_client_asking_too_often_is_told_to_wait_and_its_extra_requests_send_nothing()
    {
        var browser = app.NewBrowser();
        for (var i = 0; i < LinkRequestLimits.PerClient; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await AskAsync(browser, $"stranger{i}@nowhere.test")).Status);

        var refused = await AskAsync(browser, "late@client.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains("Too many requests", refused.Text("#LinkRequestError"));
        Assert.NotNull(refused.Response.Headers.RetryAfter);
        // Another client is not affected.
        Assert.Equal(HttpStatusCode.Redirect, (await AskAsync(app.NewBrowser(), "stranger@nowhere.test")).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an address")]
    [InlineData("Carla <carla@client.test>")]
    [InlineData("a@b.test, c@d.test")]
    public async Task A_value_that_is_not_one_address_is_refused_next_to_the_field(string bad)
    {
        var answer = await AskAsync(app.NewBrowser(), bad);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Enter the email address", answer.Text("#LinkRequestError"));
        Assert.Contains("is-invalid", answer.Get("#Email").ClassName);
    }

    [Fact]
    public async Task Every_bad_value_gets_a_clear_refusal_or_the_usual_answer_and_never_an_error_page()
    {
        foreach (var value in Sweep.BadValues.All)
        {
            var answer = await AskAsync(app.NewBrowser(), Sweep.BadValues.AsSent(value.Text));
            Assert.False(answer.Body.Contains("   at ", StringComparison.Ordinal), $"\"{value.Name}\": a stack trace");
            if (answer.IsRedirect)
                Assert.Equal($"{Page}?sent=true", answer.Location!.OriginalString);
            else if (answer.Find("#LinkRequestError") is { } error)
            {
                Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
                Assert.Contains("Enter the email address", error.TextContent);
            }
            else
            {
                // Refused before the page (a value the form reader itself refuses): a 4xx with a message, as everywhere.
                Assert.True((int)answer.Status is >= 400 and < 500, $"\"{value.Name}\": {(int)answer.Status} {answer.Excerpt(300)}");
                Assert.Contains("refused", answer.Body);
            }
        }
    }

    [Fact]
    public async Task An_overlong_address_is_refused_and_not_echoed_whole()
    {
        var answer = await AskAsync(app.NewBrowser(), new string('a', 5000) + "@client.test");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.True(answer.Get("#Email").GetAttribute("value")!.Length <= 254);
    }

    [Fact]
    public async Task A_post_without_the_form_token_is_refused()
    {
        var answer = await app.NewBrowser().PostAsync(Page, [new KeyValuePair<string, string>("Email", "carla@client.test")], antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
    }
}

/// <summary>A host with no mail server: the page says to ask the agency instead of promising an email.</summary>
public sealed class LinkRequestWithoutMailTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task Without_a_mail_server_the_page_offers_no_form_and_a_post_changes_nothing()
    {
        var contract = await new Flow(app).ProposedAsync(await app.StaffAsync(), ContractForm.Valid("No mail here"));
        var browser = app.NewBrowser();

        var page = await browser.OpenAsync("/escrow/stores/" + EscrowApp.StoreId + "/link");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Ask the agency for a new link", page.Text("#CannotSend"));
        Assert.Null(page.Find("#LinkRequestForm"));

        var before = await app.SnapshotAsync(contract.Id);
        var answer = await browser.PostAsync("/escrow/stores/" + EscrowApp.StoreId + "/link", ("Email", "alice@client.test"));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.NotNull(answer.Find("#CannotSend"));
        Assert.Equal(before, await app.SnapshotAsync(contract.Id));
    }
}
