using Microsoft.AspNetCore.Authorization;

namespace BTCPayServer.Plugins.Escrow.Host.Staff;

/// <summary>The signed-in staff member belongs to the store named in the route, or given as the resource (claim "escrow:store").</summary>
public sealed class StoreStaffRequirement : IAuthorizationRequirement
{
    public const string StoreClaim = "escrow:store";
}

public sealed class StoreStaffHandler(IHttpContextAccessor http) : AuthorizationHandler<StoreStaffRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StoreStaffRequirement requirement)
    {
        // A store id given as the resource (a page asking "may this user open that store's contracts?"), else the route's.
        var storeId = context.Resource as string ?? http.HttpContext?.GetRouteValue("storeId") as string;
        if (context.User.Identity?.IsAuthenticated == true && storeId is not null && context.User.HasClaim(StoreStaffRequirement.StoreClaim, storeId))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
