using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Mail;

/// <summary>The bodies of one email, as sealed in the outbox.</summary>
public sealed record EmailContent(string Text, string Html);

/// <summary>An email before it is sealed into the outbox; <paramref name="ContractId"/> is empty for staff emails.</summary>
public sealed record OutgoingEmailDraft(string StoreId, Guid ContractId, string Recipient, string Subject, EmailContent Content);

/// <summary>
/// Escrow emails of the standalone host (to parties, and to the agency's addresses): each goes into the outbox, sealed with the host's data-protection keys (the
/// bodies carry a party link, which is never stored in clear), and the mail worker sends it. Queuing is all the act
/// waits for. Without a mail server configured nothing is queued and no link is issued; the log says so once.
/// </summary>
public sealed class OutboxNotifier(
    IEmailOutbox outbox, IDataProtectionProvider protection, IPublicAddress publicAddress, LinkGenerator linkGenerator,
    IOptions<EscrowHostOptions> options, IStoreSettingsStore settings, TimeProvider clock, ILogger<OutboxNotifier> logger) : IEscrowNotifier
{
    public const string Purpose = "Escrow.EmailOutbox";
    private int _toldNotConfigured;

    public bool SendsLinks => options.Value.Smtp.IsConfigured;

    public async Task<EmailPreferences> PreferencesAsync(string storeId, CancellationToken cancellationToken) =>
        (await settings.GetAsync(storeId, cancellationToken)).EmailPreferences;

    public async Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken)
    {
        if (!options.Value.Smtp.IsConfigured)
        {
            if (Interlocked.Exchange(ref _toldNotConfigured, 1) == 0)
                logger.LogInformation("No mail server is configured (Escrow:Smtp:Host and Escrow:Smtp:From): party emails are not sent");
            return NotificationResult.NotConfigured;
        }
        if (string.IsNullOrWhiteSpace(notification.Recipient))
            return NotificationResult.Failed;
        var (page, linkRequest) = linkGenerator.EmailUrls(publicAddress, notification);
        await QueueAsync(outbox, protection, new OutgoingEmailDraft(notification.StoreId, notification.ContractId, notification.Recipient, notification.Subject,
            new EmailContent(notification.Text(page, linkRequest), notification.Html(page, linkRequest))), clock.GetUtcNow(), cancellationToken);
        return NotificationResult.Sent;
    }

    /// <summary>Puts an email in the outbox with its bodies sealed (they carry a link that is never stored in clear).</summary>
    public static Task QueueAsync(IEmailOutbox outbox, IDataProtectionProvider protection, OutgoingEmailDraft email, DateTimeOffset at, CancellationToken cancellationToken) =>
        outbox.AddAsync(new OutgoingEmail(email.StoreId, email.ContractId, email.Recipient, email.Subject,
            Protector(protection).Protect(JsonSerializer.Serialize(email.Content)), at), cancellationToken);

    public static IDataProtector Protector(IDataProtectionProvider protection) => protection.CreateProtector(Purpose);
}
