using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Ports;
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
    public static string? PartyPageUrl(this LinkGenerator links, IPublicAddress address, PartyLink? link) =>
        link is null ? null : OnPublicAddress(address, baseUrl => links.PartyPageUrl(baseUrl, link.Token));

    /// <summary>The store's public "Email me my link" page, or null when the host has no public address.</summary>
    public static string? LinkRequestUrl(this LinkGenerator links, IPublicAddress address, string storeId) =>
        OnPublicAddress(address, baseUrl => baseUrl + (links.GetPathByAction("Index", "UIEscrowLinkRequest", new { storeId }, PathString.Empty)
            ?? $"/escrow/stores/{Uri.EscapeDataString(storeId)}/link"));

    /// <summary>
    /// The two addresses an email carries: the page it opens (the party's, through the message's fresh link; for the
    /// agency, the contract's staff page) and, for a party, where to ask for a new link later.
    /// </summary>
    public static (string? Page, string? LinkRequest) EmailUrls(this LinkGenerator links, IPublicAddress address, EscrowNotification notification)
    {
        if (notification.ToAgency)
            return (OnPublicAddress(address, baseUrl => baseUrl + links.GetPathByAction("Details", "UIEscrowContracts",
                new { storeId = notification.StoreId, contractId = notification.ContractId }, PathString.Empty)), null);
        return (links.PartyPageUrl(address, notification.Link), links.LinkRequestUrl(address, notification.StoreId));
    }

    private static string? OnPublicAddress(IPublicAddress address, Func<string, string> build)
    {
        try
        {
            return build(address.BaseUrl());
        }
        catch (EscrowException)
        {
            return null;
        }
    }
}
