using System.Net;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Mail;

/// <summary>The standalone host configured with Escrow:Smtp pointing at a real SMTP server in this process.</summary>
public sealed class MailApp : EscrowApp
{
    public InProcessSmtpServer Smtp { get; } = new();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Escrow:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Escrow:Smtp:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Escrow:Smtp:From", "Escrow <escrow@agency.test>");
        builder.UseSetting("Escrow:Smtp:Tls", "None");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed partial class MailTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task Each_party_gets_an_email_whose_link_opens_its_own_page_and_stops_working_when_revoked()
    {
        var staff = await app.StaffAsync();
        var contract = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Mailed garden"));

        var toClient = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains("alice@client.test") && (m.Subject ?? "").Contains("Mailed garden"));
        var toFreelancer = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains("bob@freelancer.test") && (m.Subject ?? "").Contains("Mailed garden"));

        foreach (var (message, role) in new[] { (toClient, "client"), (toFreelancer, "freelancer") })
        {
            Assert.Contains("terms to review", message.Subject);
            Assert.Contains("escrow@agency.test", message.From.ToString());
            var textLink = LinkIn(message.TextBody);
            Assert.Contains($"href=\"{textLink}\"", message.HtmlBody);
            var page = await app.NewBrowser().GetAsync(new Uri(textLink).AbsolutePath);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(role, page.Text("#PartyRole"));
        }
        // The link the agency copied keeps working next to the emailed one.
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(contract.ClientUrl)).Status);

        await staff.SubmitConfirmedAsync(await staff.OpenAsync(Urls.Contract(contract.Id)), "#RevokeClient");

        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(new Uri(LinkIn(toClient.TextBody)).AbsolutePath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(contract.ClientUrl)).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(new Uri(LinkIn(toFreelancer.TextBody)).AbsolutePath)).Status);
    }

    internal static string LinkIn(string? text) => LinkPattern().Match(text ?? "") is { Success: true } m ? m.Value : throw new InvalidOperationException("No party link in: " + text);

    internal static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
        return await reader.ReadToEndAsync();
    }

    [GeneratedRegex(@"https?://[^\s""<>]+/escrow/p/[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();
}

/// <summary>Moves its host's sandbox clock past an emailed link's lifetime, so it has a host of its own.</summary>
public sealed class MailExpiryTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task An_emailed_link_is_refused_once_it_expired_and_nothing_is_stored_in_clear()
    {
        var staff = await app.StaffAsync();
        var contract = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Expiring orchard"));
        var message = await app.Smtp.WaitForAsync(m => m.To.ToString().Contains("bob@freelancer.test") && (m.Subject ?? "").Contains("Expiring orchard"));
        var link = new Uri(MailTests.LinkIn(message.TextBody)).AbsolutePath;
        var token = Urls.TokenOf(MailTests.LinkIn(message.TextBody));
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(link)).Status);

        // Nothing at rest holds the token: not the outbox (sealed, and emptied once sent), not the audit log, not the logs.
        var outbox = await app.Services.GetRequiredService<IEmailOutbox>().RecentAsync(EscrowApp.StoreId, 100, CancellationToken.None);
        Assert.Contains(outbox, e => e.SentAt is not null && e.Subject.Contains("Expiring orchard"));
        Assert.All(outbox.Where(e => e.SentAt is not null), e => Assert.Null(e.SealedContent));
        Assert.All(outbox, e => Assert.DoesNotContain(token, e.SealedContent ?? ""));
        Assert.All(await app.Services.GetRequiredService<IAuditLog>().ReadAsync(contract.Id, CancellationToken.None), e => Assert.DoesNotContain(token, e.Data));
        Assert.DoesNotContain(app.LogLines, l => l.Contains(token));
        foreach (var file in Directory.EnumerateFiles(app.DataDir, "*.db*", SearchOption.AllDirectories))
            Assert.DoesNotContain(token, await MailTests.ReadSharedAsync(file));

        app.Services.GetRequiredService<SandboxClock>().Advance(Core.Contracts.Contract.EmailLinkLifetime + TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(link)).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(contract.FreelancerUrl)).Status);
    }

}
