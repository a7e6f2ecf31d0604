using System.Net;
using BTCPayServer.Plugins.Escrow.Host.Accounts;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

/// <summary>The host with the lockout clock in the test's hand (the sandbox clock is another one).</summary>
public sealed class LockoutApp : EscrowApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton(new SignInClock(Clock));
}

public sealed class SignInLockoutTests(LockoutApp app) : IClassFixture<LockoutApp>
{
    private static string ErrorOf(Page page) => page.Text("#SignInError");

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_15_minutes_and_the_right_one_is_refused_meanwhile()
    {
        const string email = "locked@escrow.test";
        await app.CreateStaffAsync(email);
        var browser = app.NewBrowser();
        var answers = new List<string>();
        for (var attempt = 1; attempt <= StaffAccountsSetup.MaxFailedSignIns; attempt++)
        {
            var wrong = await browser.SubmitSignInAsync(email, $"wrong password {attempt}");
            Assert.Equal(HttpStatusCode.OK, wrong.Status);
            answers.Add(ErrorOf(wrong));
        }
        // Locked: the right password is refused, with the same words as a wrong one and as an unknown email.
        var locked = await browser.SubmitSignInAsync(email, EscrowApp.AdminPassword);
        Assert.False(locked.IsRedirect);
        answers.Add(ErrorOf(locked));
        answers.Add(ErrorOf(await browser.SubmitSignInAsync("nobody@escrow.test", EscrowApp.AdminPassword)));
        Assert.Single(answers.Distinct());
        Assert.Contains("locked after 5 failed attempts", answers[0]);
        Assert.Contains("15 minutes", answers[0]);
        Assert.True((await browser.GetAsync(Urls.Staff())).IsRedirect);

        app.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.False((await app.NewBrowser().SubmitSignInAsync(email, EscrowApp.AdminPassword)).IsRedirect);

        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var signedIn = app.NewBrowser();
        await signedIn.SignInAsync(email, EscrowApp.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync(Urls.Staff())).Status);
    }

    [Fact]
    public async Task Failures_that_stop_short_of_the_limit_are_forgotten_after_a_sign_in()
    {
        const string email = "forgetful@escrow.test";
        await app.CreateStaffAsync(email);
        var browser = app.NewBrowser();
        for (var round = 0; round < 3; round++)
        {
            for (var attempt = 1; attempt < StaffAccountsSetup.MaxFailedSignIns; attempt++)
                Assert.False((await browser.SubmitSignInAsync(email, "not it at all")).IsRedirect);
            Assert.True((await app.NewBrowser().SubmitSignInAsync(email, EscrowApp.AdminPassword)).IsRedirect);
        }
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in_and_an_administrator_cannot_disable_their_own()
    {
        const string email = "leaver@escrow.test";
        await app.CreateStaffAsync(email);
        var admin = await app.StaffAsync();
        var staff = await admin.OpenAsync("/staff");
        var asked = await admin.SubmitAsync(staff, $"[data-staff='{email}'] [data-action=disable]");
        Assert.Contains($"{email} can no longer sign in", asked.Text("#ConfirmEffects"));
        Assert.Contains("Enable gives the account back", asked.Text("#ConfirmEffects"));
        // Asking changed nothing: the account still signs in.
        await app.NewBrowser().SignInAsync(email, EscrowApp.AdminPassword);
        var leaver = await admin.SubmitAsync(asked, "#ConfirmAct");
        Assert.Contains("Account disabled", leaver.Text("#StaffMessage"));
        Assert.Equal("disabled", leaver.Get($"[data-staff='{email}'] [data-state]").GetAttribute("data-state"));

        var refused = await app.NewBrowser().SubmitSignInAsync(email, EscrowApp.AdminPassword);
        Assert.False(refused.IsRedirect);
        Assert.Contains("the email or password is wrong", ErrorOf(refused));

        // The administrator's own row offers no change; posting one anyway is refused.
        Assert.Null(leaver.Find($"[data-staff='{EscrowApp.AdminEmail}'] form"));
        var ownId = await UserIdAsync(EscrowApp.AdminEmail);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/staff/{ownId}/disable")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/staff/{ownId}/remove")).Status);

        await admin.SubmitAsync(await admin.OpenAsync("/staff"), $"[data-staff='{email}'] [data-action=enable]");
        await app.NewBrowser().SignInAsync(email, EscrowApp.AdminPassword);
    }

    [Fact]
    public async Task Removing_an_account_says_it_cannot_be_undone_and_acts_only_when_confirmed()
    {
        const string email = "removed@escrow.test";
        await app.CreateStaffAsync(email);
        var admin = await app.StaffAsync();

        var asked = await admin.SubmitAsync(await admin.OpenAsync("/staff"), $"[data-staff='{email}'] [data-action=remove]");
        Assert.Contains("This cannot be undone", asked.Text("#ConfirmEffects"));
        Assert.Contains("choose Disable instead", asked.Text("#ConfirmEffects"));
        Assert.Equal("/staff", asked.Get("#CancelConfirm").GetAttribute("href"));
        var kept = await admin.OpenAsync("/staff");
        Assert.NotNull(kept.Find($"[data-staff='{email}']"));
        await app.NewBrowser().SignInAsync(email, EscrowApp.AdminPassword);

        var done = await admin.SubmitAsync(asked, "#ConfirmAct");
        Assert.Contains($"{email} removed", done.Text("#StaffMessage"));
        Assert.Null(done.Find($"[data-staff='{email}']"));
        Assert.False((await app.NewBrowser().SubmitSignInAsync(email, EscrowApp.AdminPassword)).IsRedirect);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }
}
