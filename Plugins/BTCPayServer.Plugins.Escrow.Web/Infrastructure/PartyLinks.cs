using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class PartyLinks
{
    /// <summary>
    /// Absolute URL of a party page on the configured public address (<see cref="IPublicAddress"/>), never the request's
    /// host; the token is the whole secret, so the URL is shown once and never logged.
    /// </summary>
    public static string PartyPageUrl(this LinkGenerator links, string baseUrl, string token) =>
        baseUrl + (links.GetPathByAction("Index", "UIEscrowParty", new { token }, PathString.Empty) ?? $"/escrow/p/{Uri.EscapeDataString(token)}");

    /// <summary>
    /// The address an email's fresh link opens, or null when the message carries no link or the host has no public
    /// address (the email then tells the party to use a link they already hold).
    /// </summary>
    public static string? PartyPageUrl(this LinkGenerator links, IPublicAddress address, PartyLink? link)
    {
        if (link is null)
            return null;
        try
        {
            return links.PartyPageUrl(address.BaseUrl(), link.Token);
        }
        catch (EscrowException)
        {
            return null;
        }
    }
}
