using Microsoft.AspNetCore.Authorization;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// The signed-in staff member or API key belongs to the store named in the route, or given as the resource (claim
/// "escrow:store"), and holds the permission the policy names (claim "escrow:permission"); a refusal for a missing
/// permission is noted for the API's 403 message.
/// </summary>
public sealed class StoreStaffRequirement(string permission) : IAuthorizationRequirement
{
    public const string StoreClaim = "escrow:store";
    public const string PermissionClaim = "escrow:permission";
    /// <summary>Where a refusal names the permission that was missing, for the 403's message.</summary>
    public const string MissingPermissionItem = "escrow.missing-permission";

    public string Permission { get; } = permission;
}

public sealed class StoreStaffHandler(IHttpContextAccessor http) : AuthorizationHandler<StoreStaffRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StoreStaffRequirement requirement)
    {
        // A store id given as the resource (a page asking "may this user open that store's contracts?"), else the route's.
        var storeId = context.Resource as string ?? http.HttpContext?.GetRouteValue("storeId") as string;
        if (context.User.Identity?.IsAuthenticated != true || storeId is null || !context.User.HasClaim(StoreStaffRequirement.StoreClaim, storeId))
            return Task.CompletedTask;
        if (context.User.HasClaim(StoreStaffRequirement.PermissionClaim, requirement.Permission))
            context.Succeed(requirement);
        else if (http.HttpContext is { } httpContext)
            httpContext.Items[StoreStaffRequirement.MissingPermissionItem] = requirement.Permission;
        return Task.CompletedTask;
    }
}
