using System.Net;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Mail;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

/// <summary>Invitations and password resets sent through the host's mail outbox to a real SMTP server in this process.</summary>
public sealed partial class StaffInvitationTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task An_invited_arbiter_follows_the_emailed_link_chooses_a_password_and_sees_only_disputes()
    {
        const string email = "new.arbiter@escrow.test";
        var admin = await app.StaffAsync();
        var staff = await admin.OpenAsync("/staff");
        var invited = await admin.SubmitAsync(staff, "#InviteButton",
            ("Email", email), ("Permissions.MayManageContracts", "false"), ("Permissions.MayArbitrateDisputes", "true"));
        Assert.Contains($"Invitation sent to {email}", invited.Text("#StaffMessage"));
        Assert.Null(invited.Find("#IssuedLink"));
        Assert.Equal("invited", invited.Get($"[data-staff='{email}'] [data-state]").GetAttribute("data-state"));

        var message = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains(email));
        Assert.Contains("invited", message.Subject);
        var link = LinkIn(message.TextBody);
        Assert.Contains($"href=\"{System.Net.WebUtility.HtmlEncode(link)}\"", message.HtmlBody);

        var newcomer = app.NewBrowser();
        var choose = await newcomer.OpenAsync(PathAndQuery(link));
        Assert.Equal(email, choose.Text("#AccountEmail"));
        var tooShort = await newcomer.SubmitAsync(choose, "#SetPasswordButton", ("Password", "short"));
        Assert.NotEmpty(tooShort.Text("#SetPasswordError"));
        var done = await newcomer.SubmitNoFollowAsync(tooShort, "#SetPasswordButton", ("Password", "arbiter's own passphrase"));
        Assert.Equal("/login", done.Location!.OriginalString);

        await newcomer.SignInAsync(email, "arbiter's own passphrase");
        var home = await newcomer.GetAsync("/");
        Assert.Equal(Urls.Disputes(), home.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await newcomer.GetAsync(Urls.Staff())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await newcomer.GetAsync("/staff")).Status);

        // The link works once.
        var replay = app.NewBrowser();
        var reused = await replay.SubmitAsync(await replay.OpenAsync(PathAndQuery(link)), "#SetPasswordButton", ("Password", "someone else's passphrase"));
        Assert.Contains("expired or was already used", reused.Text("#SetPasswordError"));
        await app.NewBrowser().SignInAsync(email, "arbiter's own passphrase");
    }

    [Fact]
    public async Task A_forgotten_password_is_reset_through_the_emailed_link_and_unknown_emails_get_the_same_answer()
    {
        const string email = "forgetful.manager@escrow.test";
        await app.CreateStaffAsync(email, manageContracts: true, arbitrateDisputes: false);
        var browser = app.NewBrowser();
        var form = await browser.OpenAsync("/forgot-password");
        var requested = await browser.SubmitAsync(form, "#SendResetLink", ("Email", email));
        var stranger = app.NewBrowser();
        var unknown = await stranger.SubmitAsync(await stranger.OpenAsync("/forgot-password"), "#SendResetLink", ("Email", "stranger@escrow.test"));
        Assert.Equal(requested.Text("#ResetRequested").Replace(email, "X"), unknown.Text("#ResetRequested").Replace("stranger@escrow.test", "X"));

        var message = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains(email));
        Assert.Contains("Reset your password", message.Subject);
        var choose = await browser.OpenAsync(PathAndQuery(LinkIn(message.TextBody)));
        await browser.SubmitAsync(choose, "#SetPasswordButton", ("Password", "a brand new passphrase"));

        Assert.False((await app.NewBrowser().SubmitSignInAsync(email, EscrowApp.AdminPassword)).IsRedirect);
        await app.NewBrowser().SignInAsync(email, "a brand new passphrase");
        Assert.DoesNotContain(app.Smtp.Received, m => m.To.ToString().Contains("stranger@escrow.test"));
    }

    private static string PathAndQuery(string link) => new Uri(link).PathAndQuery;

    private static string LinkIn(string? text) => LinkPattern().Match(text ?? "") is { Success: true } m ? m.Value : throw new InvalidOperationException("No link in: " + text);

    [GeneratedRegex(@"https?://[^\s""<>]+/set-password\?[^\s""<>]+")]
    private static partial Regex LinkPattern();
}

/// <summary>Without a mail server the administrator is shown the link once, to pass it on.</summary>
public sealed class StaffInvitationWithoutMailTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_invitation_link_is_shown_once_and_works()
    {
        const string email = "walk-in@escrow.test";
        var admin = await app.StaffAsync();
        var invited = await admin.SubmitAsync(await admin.OpenAsync("/staff"), "#InviteButton", ("Email", email));
        var link = invited.Get("#IssuedLink").GetAttribute("value")!;
        Assert.StartsWith($"{EscrowApp.PublicUrl}/set-password?", link);
        Assert.Null((await admin.OpenAsync("/staff")).Find("#IssuedLink"));

        var newcomer = app.NewBrowser();
        await newcomer.SubmitAsync(await newcomer.OpenAsync(new Uri(link).PathAndQuery), "#SetPasswordButton", ("Password", "walk-in passphrase"));
        await newcomer.SignInAsync(email, "walk-in passphrase");
        // Invited with "manage contracts", the form's default.
        Assert.Equal(HttpStatusCode.OK, (await newcomer.GetAsync(Urls.Staff())).Status);

        var forgot = await app.NewBrowser().OpenAsync("/forgot-password");
        Assert.NotNull(forgot.Find("#NoMail"));
    }
}
