using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Mail;

/// <summary>The host's mail server is down at first (nothing listens on its port), and comes up later.</summary>
public sealed class DownMailApp : EscrowApp
{
    public int SmtpPort { get; } = InProcessSmtpServer.FreePort();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Escrow:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Escrow:Smtp:Port", SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Escrow:Smtp:From", "escrow@agency.test");
        builder.UseSetting("Escrow:Smtp:Tls", "None");
    }
}

public sealed class MailFailureTests(DownMailApp app) : IClassFixture<DownMailApp>
{
    [Fact]
    public async Task A_mail_server_that_is_down_blocks_no_act_shows_the_failure_to_staff_and_the_email_goes_out_later()
    {
        var staff = await app.StaffAsync();
        var contract = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Stormy meadow"));
        Assert.Equal(ContractState.Proposed, (await app.ContractAsync(contract.Id)).State);

        var failed = await WaitForEmailsAsync(e => e.Subject.Contains("Stormy meadow") && e.Attempts >= 1 && e.SentAt is null, 2);
        Assert.All(failed, e => Assert.NotNull(e.LastError));
        Assert.All(failed, e => Assert.True(e.NextAttemptAt > e.CreatedAt));
        var settings = await staff.OpenAsync($"{Urls.Staff()}/settings");
        Assert.Contains("failed 1 time(s)", settings.Get("#Emails").TextContent);

        await using var smtp = new InProcessSmtpServer(app.SmtpPort);
        app.Services.GetRequiredService<SandboxClock>().Advance(OutgoingEmail.Backoff[0] + TimeSpan.FromSeconds(1));

        var message = await smtp.WaitForAsync(m => m.To.ToString().Contains("alice@client.test") && (m.Subject ?? "").Contains("Stormy meadow"));
        var page = await app.NewBrowser().GetAsync(new Uri(MailTests.LinkIn(message.TextBody)).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("client", page.Text("#PartyRole"));
        await WaitForEmailsAsync(e => e.Subject.Contains("Stormy meadow") && e.SentAt is not null && e.SealedContent is null, 2);
    }

    private async Task<IReadOnlyList<OutgoingEmail>> WaitForEmailsAsync(Func<OutgoingEmail, bool> match, int count)
    {
        var outbox = app.Services.GetRequiredService<IEmailOutbox>();
        for (var i = 0; i < 300; i++)
        {
            var found = (await outbox.RecentAsync(EscrowApp.StoreId, 50, CancellationToken.None)).Where(match).ToList();
            if (found.Count >= count)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The outbox never held the expected emails.");
    }
}
