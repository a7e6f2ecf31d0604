using System.Security.Cryptography;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// What lets a browser coming back from checkout find its party page although the return address carries no token: a
/// short-lived HttpOnly cookie, set when the party clicked <i>Fund</i>, sent only to that contract's return address and
/// protected with ASP.NET Core Data Protection. It holds the contract, the party and the party's token; the token stays
/// in the browser it came from.
/// </summary>
public sealed class CheckoutReturnProof(IDataProtectionProvider dataProtection)
{
    public const string CookieName = "escrow.return";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly ITimeLimitedDataProtector _protector =
        dataProtection.CreateProtector("BTCPayServer.Plugins.Escrow.CheckoutReturn.v1").ToTimeLimitedDataProtector();

    /// <summary>Sets the cookie on the answer that sends the party to checkout. <paramref name="returnPath"/> is the return route's path.</summary>
    public void Issue(HttpResponse response, string returnPath, Guid contractId, PartyRole role, string token)
    {
        var value = _protector.Protect($"{contractId:N}|{role}|{token}", Lifetime);
        response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            // Lax: sent on the top-level GET that checkout's redirect makes, never on cross-site subrequests.
            SameSite = SameSiteMode.Lax,
            Secure = response.HttpContext.Request.IsHttps,
            Path = returnPath,
            MaxAge = Lifetime,
            IsEssential = true,
        });
    }

    /// <summary>The token of the party this browser proved to be for <paramref name="contractId"/>, or null.</summary>
    public string? TokenFor(HttpRequest request, Guid contractId)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value) || value.Length > 4096)
            return null;
        string payload;
        try
        {
            payload = _protector.Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null; // forged, expired, or made with another key ring
        }
        var parts = payload.Split('|', 3);
        return parts.Length == 3 && Guid.TryParseExact(parts[0], "N", out var id) && id == contractId
               && Enum.TryParse<PartyRole>(parts[1], out _) && parts[2].Length > 0
            ? parts[2]
            : null;
    }
}
