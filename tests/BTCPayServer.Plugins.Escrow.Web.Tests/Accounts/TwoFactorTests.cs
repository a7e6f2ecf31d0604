using System.Net;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

public sealed class TwoFactorTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task An_authenticator_code_is_asked_after_the_password_once_two_factor_is_on()
    {
        const string email = "careful@escrow.test";
        var browser = await app.StaffMemberAsync(email, manageContracts: true, arbitrateDisputes: false);
        var setup = await browser.OpenAsync("/account/two-factor");
        Assert.NotNull(setup.Find("#TwoFactorOff"));
        var key = setup.Text("#SharedKey");
        var uri = setup.Get("#AuthenticatorUri").GetAttribute("href")!;
        Assert.StartsWith("otpauth://totp/", uri);
        Assert.Contains($"secret={key}", uri);

        var right = Totp.Code(key, DateTimeOffset.UtcNow);
        var wrong = await browser.SubmitAsync(setup, "#EnableTwoFactor", ("code", $"{(right[0] - '0' + 5) % 10}{right[1..]}"));
        Assert.Contains("not valid", wrong.Text("#TwoFactorError"));
        var enabled = await browser.SubmitAsync(wrong, "#EnableTwoFactor", ("code", Totp.Code(key, DateTimeOffset.UtcNow)));
        Assert.NotNull(enabled.Find("#TwoFactorOn"));
        var recoveryCodes = enabled.Document.QuerySelectorAll("#RecoveryCodes li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, recoveryCodes.Count);

        // The password alone no longer signs in: it leads to the code step.
        var next = app.NewBrowser();
        var afterPassword = await next.SubmitSignInAsync(email, EscrowApp.AdminPassword);
        Assert.Equal("/login/two-factor", afterPassword.Location!.OriginalString.Split('?')[0]);
        Assert.True((await next.GetAsync(Urls.Staff())).IsRedirect);
        var codePage = await next.FollowAsync(afterPassword);
        var refused = await next.SubmitAsync(codePage, "#TwoFactorButton", ("Code", "12345"));
        Assert.Contains("not valid", refused.Text("#SignInError"));
        var signedIn = await next.SubmitNoFollowAsync(refused, "#TwoFactorButton", ("Code", Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30))));
        Assert.True(signedIn.IsRedirect, signedIn.Excerpt());
        Assert.Equal(HttpStatusCode.OK, (await next.GetAsync(Urls.Staff())).Status);

        // A recovery code signs in once.
        foreach (var expectSuccess in new[] { true, false })
        {
            var other = app.NewBrowser();
            var step = await other.FollowAsync(await other.SubmitSignInAsync(email, EscrowApp.AdminPassword));
            var answer = await other.SubmitNoFollowAsync(step, "#TwoFactorButton", ("RecoveryCode", recoveryCodes[0]));
            Assert.Equal(expectSuccess, answer.IsRedirect);
        }
    }
}
