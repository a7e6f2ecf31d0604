using System.Security.Claims;
using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class Actors
{
    /// <summary>The signed-in staff member as the audit log names them.</summary>
    public static Actor ToAgencyActor(this ClaimsPrincipal user) =>
        Actor.Agency(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity?.Name ?? "staff");
}
