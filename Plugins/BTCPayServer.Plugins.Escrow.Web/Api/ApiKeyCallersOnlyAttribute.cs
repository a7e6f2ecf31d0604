using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// The API answers only callers who authenticated with the API's scheme (an API key). A host whose policies also name
/// its sign-in cookie (BTCPay's do, for the pages) would otherwise let a browser's cookie act through the API, which
/// has no antiforgery token. Checked after authorization, whatever the host's policies say.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ApiKeyCallersOnlyAttribute : Attribute, IAuthorizationFilter
{
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        if (context.Result is not null)
            return;
        if (!context.HttpContext.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == GreenfieldApi.AuthenticationType))
            context.Result = ApiErrors.Error(StatusCodes.Status401Unauthorized, "unauthenticated", "Authenticate with an API key: send the header 'Authorization: token <key>'.");
    }
}
