using System.Net;
using System.Text;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>The words of a party email, as plain text and as HTML; both hosts send these.</summary>
public static class NotificationBody
{
    private const string WithoutLink = "Open your private escrow link to see the details.";

    public static string Text(EscrowNotification notification, string? partyPageUrl)
    {
        var text = new StringBuilder(notification.Body).Append("\n\n");
        if (partyPageUrl is null)
            return text.Append(WithoutLink).ToString();
        return text.Append("Open your escrow page: ").Append(partyPageUrl).Append("\n\n").Append(Caution).ToString();
    }

    public static string Html(EscrowNotification notification, string? partyPageUrl)
    {
        var html = new StringBuilder("<p>").Append(Encode(notification.Body)).Append("</p>");
        if (partyPageUrl is null)
            return html.Append("<p>").Append(Encode(WithoutLink)).Append("</p>").ToString();
        var href = WebUtility.HtmlEncode(partyPageUrl);
        return html.Append("<p><a href=\"").Append(href).Append("\">Open your escrow page</a></p>")
            .Append("<p><small>").Append(Encode(Caution)).Append("</small></p>").ToString();
    }

    private static string Caution =>
        $"This link is yours alone and works for {(int)Contracts.Contract.EmailLinkLifetime.TotalDays} days; do not forward this email. " +
        "Links you received earlier keep working until they expire or the agency revokes them.";

    private static string Encode(string text) => WebUtility.HtmlEncode(text).ReplaceLineEndings("<br>");
}
