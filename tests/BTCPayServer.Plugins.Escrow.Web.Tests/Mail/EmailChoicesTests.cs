using System.Net;
using AngleSharp.Html.Dom;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Mail;

/// <summary>
/// The store's email choices on the settings page: a kind switched off is not sent (nor is a link issued for it), and
/// the agency's own addresses hear about an escalated dispute with a link to the contract's staff page.
/// </summary>
public sealed class EmailChoicesTests(MailApp app) : IClassFixture<MailApp>
{
    private static string SettingsUrl => $"/stores/{EscrowApp.StoreId}/plugins/escrow/settings";

    private async Task<IReadOnlyList<OutgoingEmail>> OutboxAsync() =>
        await app.Services.GetRequiredService<IEmailOutbox>().RecentAsync(EscrowApp.StoreId, 500, CancellationToken.None);

    [Fact]
    public async Task A_kind_switched_off_is_not_sent_and_the_agency_addresses_get_escalations_with_the_staff_page()
    {
        var staff = await app.StaffAsync();
        var settings = await staff.OpenAsync(SettingsUrl);
        Assert.All(EmailKinds.Switchable, k => Assert.True(settings.Get($"#email-{k.Kind}").HasAttribute("checked"), $"{k.Kind} is on by default"));
        Assert.EndsWith($"/escrow/stores/{EscrowApp.StoreId}/link", settings.Text("#LinkRequestUrl"));
        var fields = HtmlFormFields.Of((IHtmlFormElement)settings.Get("#SettingsForm"))
            .Where(f => !(f.Key == "EmailsOn" && f.Value == nameof(EmailKind.TermsToReview)) && f.Key != "AgencyEmails").ToList();
        fields.Add(new("AgencyEmails", "arbiter@agency.test\r\ndesk@agency.test, arbiter@AGENCY.test"));
        var saved = await staff.FollowAsync(await staff.PostAsync(SettingsUrl, fields));
        Assert.Contains("Settings saved", saved.Text("#SettingsSaved"));
        Assert.False(saved.Get($"#email-{EmailKind.TermsToReview}").HasAttribute("checked"));
        Assert.True(saved.Get($"#email-{EmailKind.ContractActive}").HasAttribute("checked"));
        Assert.Equal("arbiter@agency.test\ndesk@agency.test", saved.Get("#AgencyEmails").TextContent.Trim());

        var flow = new Flow(app);
        var c = await flow.ProposedAsync(staff, ContractForm.Valid("Quiet start"));
        Assert.DoesNotContain(await OutboxAsync(), e => e.Subject == "Quiet start: terms to review");
        // No email, so no emailed link either: only the two links the agency copied.
        Assert.All((await app.ContractAsync(c.Id)).PartyAccess, a => Assert.Null(a.ExpiresAt));
        await flow.AcceptAsync(c.Client, c.ClientUrl);
        await flow.AcceptAsync(c.Freelancer, c.FreelancerUrl);
        Assert.Equal(2, (await OutboxAsync()).Count(e => e.Subject == "Quiet start: the contract is active"));

        await flow.FundAsync(c, 1);
        await flow.OpenDisputeAsync(c, 1);
        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        await c.Freelancer.SubmitAsync(page, "#Milestone1 .escalate");

        foreach (var address in new[] { "arbiter@agency.test", "desk@agency.test" })
        {
            var message = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains(address) && m.Subject == "Quiet start: a dispute waits for your ruling");
            Assert.Contains("The freelancer escalated the dispute on milestone 1", message.TextBody);
            Assert.DoesNotContain("/escrow/p/", message.TextBody + message.HtmlBody);
            var link = (message.TextBody ?? "").Split("Open the contract: ")[1].Trim();
            Assert.Equal(Urls.Contract(c.Id), new Uri(link).AbsolutePath);
            Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(new Uri(link).AbsolutePath)).Status);
            Assert.NotEqual(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(new Uri(link).AbsolutePath)).Status);
        }
        Assert.Equal(2, app.Smtp.Received.Count(m => m.Subject == "Quiet start: a dispute waits for your ruling"));
        // The parties still hear that the agency will decide, each with their own page.
        var toClient = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains("alice@client.test") && m.Subject == "Quiet start: the agency will decide");
        Assert.Contains($"/escrow/stores/{EscrowApp.StoreId}/link", toClient.TextBody);
        Assert.Equal("client", (await app.NewBrowser().GetAsync(new Uri(MailTests.LinkIn(toClient.TextBody)).AbsolutePath)).Text("#PartyRole"));
    }
}
