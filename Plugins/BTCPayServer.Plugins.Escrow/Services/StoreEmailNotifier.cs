using System.Net;
using BTCPayServer.Plugins.Emails.Services;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// Escrow messages as emails from the store, through BTCPay's email settings (the store's own, or the server's when
/// the server allows stores to use them). "Sent" means handed to BTCPay's mail queue, which sends in the background
/// and logs delivery failures; a store without email settings gets "not configured", never a pretend send.
/// </summary>
public sealed class StoreEmailNotifier(EmailSenderFactory emailSenders) : IEscrowNotifier
{
    public async Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken)
    {
        if (!MailboxAddressValidator.TryParse(notification.Recipient, out var recipient))
            return NotificationResult.Failed;
        if (!await emailSenders.IsComplete(notification.StoreId))
            return NotificationResult.NotConfigured;
        var sender = await emailSenders.GetEmailSender(notification.StoreId);
        sender.SendEmail(recipient, notification.Subject, AsHtml(notification.Body));
        return NotificationResult.Sent;
    }

    /// <summary>BTCPay sends the body as HTML: the escrow's plain text is encoded and keeps its line breaks.</summary>
    private static string AsHtml(string text) => WebUtility.HtmlEncode(text).ReplaceLineEndings("<br>");
}
