using System.Net;
using System.Text;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>
/// The words of an escrow email, as plain text and as HTML; both hosts send these. A party's email opens their page
/// (and says where to ask for a new link); the agency's opens the contract's staff page.
/// </summary>
public static class NotificationBody
{
    private const string WithoutLink = "Open your private escrow link to see the details.";
    private const string AgencyWithoutLink = "Open the contract in the escrow's staff pages to see the details.";

    public static string Text(EscrowNotification notification, string? pageUrl, string? linkRequestUrl = null)
    {
        var text = new StringBuilder(notification.Body).Append("\n\n");
        if (notification.ToAgency)
            return pageUrl is null ? text.Append(AgencyWithoutLink).ToString() : text.Append("Open the contract: ").Append(pageUrl).ToString();
        if (pageUrl is null)
            text.Append(WithoutLink);
        else
            text.Append("Open your escrow page: ").Append(pageUrl).Append("\n\n").Append(Caution);
        if (linkRequestUrl is not null)
            text.Append("\n\n").Append(LostLink).Append(' ').Append(linkRequestUrl);
        return text.ToString();
    }

    public static string Html(EscrowNotification notification, string? pageUrl, string? linkRequestUrl = null)
    {
        var html = new StringBuilder("<p>").Append(Encode(notification.Body)).Append("</p>");
        if (notification.ToAgency)
            return pageUrl is null
                ? html.Append("<p>").Append(Encode(AgencyWithoutLink)).Append("</p>").ToString()
                : html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(pageUrl)).Append("\">Open the contract</a></p>").ToString();
        if (pageUrl is null)
            html.Append("<p>").Append(Encode(WithoutLink)).Append("</p>");
        else
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(pageUrl)).Append("\">Open your escrow page</a></p>")
                .Append("<p><small>").Append(Encode(Caution)).Append("</small></p>");
        if (linkRequestUrl is not null)
            html.Append("<p><small>").Append(Encode(LostLink)).Append(" <a href=\"").Append(WebUtility.HtmlEncode(linkRequestUrl))
                .Append("\">Email me my link</a></small></p>");
        return html.ToString();
    }

    private const string LostLink = "Lost your link later? Ask for a new one with this email address:";

    private static string Caution =>
        $"This link is yours alone and works for {(int)Contracts.Contract.EmailLinkLifetime.TotalDays} days; do not forward this email. " +
        "Links you received earlier keep working until they expire or the agency revokes them.";

    private static string Encode(string text) => WebUtility.HtmlEncode(text).ReplaceLineEndings("<br>");
}
