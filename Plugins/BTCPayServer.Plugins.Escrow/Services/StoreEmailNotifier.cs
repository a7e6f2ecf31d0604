using BTCPayServer.Plugins.Emails.Services;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Routing;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// Escrow messages as emails from the store, through BTCPay's email settings (the store's own, or the server's when
/// the server allows stores to use them). "Sent" means handed to BTCPay's mail queue, which sends in the background
/// and logs delivery failures; a store without email settings gets "not configured", never a pretend send. Each email
/// carries the fresh link the unit of work issued for it (BTCPay sends HTML only: the HTML body).
/// </summary>
public sealed class StoreEmailNotifier(EmailSenderFactory emailSenders, IPublicAddress publicAddress, LinkGenerator linkGenerator, IStoreSettingsStore settings) : IEscrowNotifier
{
    public Task<bool> CanSendAsync(string storeId, CancellationToken cancellationToken) => emailSenders.IsComplete(storeId);

    public async Task<EmailPreferences> PreferencesAsync(string storeId, CancellationToken cancellationToken) =>
        (await settings.GetAsync(storeId, cancellationToken)).EmailPreferences;

    public async Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken)
    {
        if (!MailboxAddressValidator.TryParse(notification.Recipient, out var recipient))
            return NotificationResult.Failed;
        if (!await emailSenders.IsComplete(notification.StoreId))
            return NotificationResult.NotConfigured;
        var sender = await emailSenders.GetEmailSender(notification.StoreId);
        var (page, linkRequest) = linkGenerator.EmailUrls(publicAddress, notification);
        sender.SendEmail(recipient, notification.Subject, notification.Html(page, linkRequest));
        return NotificationResult.Sent;
    }
}
