using System.Net;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

/// <summary>A host on its first run: no administrator in the settings, none stored.</summary>
public sealed class FirstRunApp : EscrowApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Escrow:AdminEmail", "");
}

/// <summary>A host that an earlier version set up: its administrator is in data/admin.json (a PBKDF2 hash, Identity's format).</summary>
public sealed class LegacyAdminApp : EscrowApp
{
    public const string Email = "old.admin@escrow.test";
    public const string Password = "set up before accounts";

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Escrow:AdminEmail", "");

    public override Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDir);
        var hash = new PasswordHasher<object>().HashPassword(new object(), Password);
        File.WriteAllText(Path.Combine(DataDir, "admin.json"), JsonSerializer.Serialize(new { Email, PasswordHash = hash }));
        return base.InitializeAsync();
    }
}

public sealed class FirstRunTests(FirstRunApp app) : IClassFixture<FirstRunApp>
{
    [Fact]
    public async Task The_setup_page_creates_the_administrator_once()
    {
        var browser = app.NewBrowser();
        Assert.Equal("/setup", (await browser.GetAsync("/")).Location!.OriginalString);
        Assert.Equal("/setup", (await browser.GetAsync("/login")).Location!.OriginalString);
        var setup = await browser.OpenAsync("/setup");
        var tooShort = await browser.SubmitAsync(setup, "#SetupButton", ("Email", "first@escrow.test"), ("Password", "short"));
        Assert.Contains("at least 8", tooShort.VisibleText);

        var done = await browser.SubmitAsync(tooShort, "#SetupButton", ("Email", "first@escrow.test"), ("Password", "first admin passphrase"));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Equal(Urls.Staff(), done.Url.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/staff")).Status);

        // Replayed by someone else: refused, and nobody else becomes an administrator.
        var late = app.NewBrowser();
        Assert.Equal("/login", (await late.GetAsync("/setup")).Location!.OriginalString);
        var replay = await late.PostAsync("/setup", ("Email", "intruder@escrow.test"), ("Password", "intruder passphrase"));
        Assert.Equal("/login", replay.Location!.OriginalString);
        Assert.False((await app.NewBrowser().SubmitSignInAsync("intruder@escrow.test", "intruder passphrase")).IsRedirect);
    }
}

public sealed class LegacyAdminTests(LegacyAdminApp app) : IClassFixture<LegacyAdminApp>
{
    [Fact]
    public async Task The_administrator_of_admin_json_becomes_an_account_with_every_permission()
    {
        var admin = app.NewBrowser();
        await admin.SignInAsync(LegacyAdminApp.Email, LegacyAdminApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Urls.Staff())).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Urls.Disputes())).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/staff")).Status);
        Assert.False(File.Exists(Path.Combine(app.DataDir, "admin.json")));
        Assert.True(File.Exists(Path.Combine(app.DataDir, "admin.json.imported")));
        Assert.False((await app.NewBrowser().SubmitSignInAsync(LegacyAdminApp.Email, "not the password")).IsRedirect);
    }
}
