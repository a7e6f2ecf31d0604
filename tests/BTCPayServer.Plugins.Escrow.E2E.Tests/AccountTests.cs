using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests;

[Collection(EscrowHostCollection.Name)]
public sealed class AccountTests(EscrowHost host)
{
    /// <summary>
    /// The administrator invites an arbiter (no mail server: the link is shown once), the arbiter chooses a password,
    /// lands on the dispute queue, and turns on two-factor sign-in with a code computed from the key shown; the next
    /// sign-in asks for a code. Every page is checked like the others (fit, accessibility, no CSP violation).
    /// </summary>
    [Fact]
    public async Task An_invited_arbiter_signs_in_and_turns_on_two_factor()
    {
        await using var s = E2ESession.Start(host);
        var agency = await s.SignInAsync();
        await s.GotoAsync(agency, "/staff", "staff");
        await agency.FillAsync("#InviteEmail", "arbiter@example.com");
        await agency.UncheckAsync("#InviteManage");
        await agency.CheckAsync("#InviteArbitrate");
        await s.ClickAsync(agency, agency.Locator("#InviteButton"), "staff-invited");
        var link = await agency.Locator("#IssuedLink").InputValueAsync();
        Assert.StartsWith($"{s.Base}/set-password?", link);

        var arbiter = await s.NewPageAsync("arbiter");
        await s.GotoAsync(arbiter, link, "accept-invitation");
        await Expect(arbiter.Locator("#AccountEmail")).ToHaveTextAsync("arbiter@example.com");
        await arbiter.FillAsync("#Password", "arbiter e2e passphrase");
        await s.ClickAsync(arbiter, arbiter.Locator("#SetPasswordButton"), "login-after-invitation");
        await s.SubmitSignInAsync(arbiter, "arbiter@example.com", "arbiter e2e passphrase", "arbiter-disputes");
        await Expect(arbiter).ToHaveURLAsync(new Regex($"/stores/{EscrowHost.StoreId}/plugins/escrow/disputes$"));

        await s.GotoAsync(arbiter, "/account/two-factor", "two-factor-off");
        var key = (await arbiter.Locator("#SharedKey").InnerTextAsync()).Trim();
        await arbiter.FillAsync("#TwoFactorCode", Totp.Code(key, DateTimeOffset.UtcNow));
        await s.ClickAsync(arbiter, arbiter.Locator("#EnableTwoFactor"), "two-factor-on");
        await Expect(arbiter.Locator("#RecoveryCodes li")).ToHaveCountAsync(10);

        var again = await s.NewPageAsync("arbiter again");
        await s.GotoAsync(again, "/login", "login-again");
        await s.SubmitSignInAsync(again, "arbiter@example.com", "arbiter e2e passphrase", "two-factor-step");
        await again.FillAsync("#Code", Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)));
        await s.ClickAsync(again, again.Locator("#TwoFactorButton"), "arbiter-signed-in-with-code");
        await Expect(again).ToHaveURLAsync(new Regex("/disputes$"));
        s.AssertNoProblems();
    }

    /// <summary>The watch on CSP violations works: an inline script added to a page is refused and reported.</summary>
    [Fact]
    public async Task An_inline_script_is_refused_by_the_policy_and_reported()
    {
        await using var s = E2ESession.Start(host);
        var page = await s.NewPageAsync("visitor");
        await s.GotoAsync(page, "/login", "login");
        await page.EvaluateAsync("() => { const e = document.createElement('script'); e.textContent = 'window.__inlineRan = true'; document.body.appendChild(e); }");
        Assert.False(await page.EvaluateAsync<bool>("() => window.__inlineRan === true"));
        Assert.NotEmpty(await s.TakeProblemsAsync(E2ESession.CspViolationPrefix));
        // Chromium's own console line about it.
        Assert.NotEmpty(await s.TakeProblemsAsync("Content Security Policy"));
        s.AssertNoProblems();
    }
}
