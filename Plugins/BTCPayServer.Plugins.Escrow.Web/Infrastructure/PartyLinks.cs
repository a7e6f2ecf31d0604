using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class PartyLinks
{
    /// <summary>Absolute URL of a party page; the token is the whole secret, so the URL is shown once and never logged.</summary>
    public static string PartyPageUrl(this IUrlHelper url, string token, string scheme) =>
        url.Action("Index", "UIEscrowParty", new { token }, scheme) ?? $"/escrow/p/{token}";
}
