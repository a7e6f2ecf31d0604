using System.Security.Claims;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// What a staff member's sign-in cookie says: their email as the name the audit log records, the host's one store, and
/// the permissions of the account (the library's policy names), read again whenever the security stamp is checked.
/// </summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, IOptions<IdentityOptions> identity, IOptions<EscrowHostOptions> host)
    : UserClaimsPrincipalFactory<StaffUser>(users, identity)
{
    public const string AdministratorClaim = "escrow:administrator";
    /// <summary>Identity's own user id claim; the standard name identifier carries the email, which the audit log shows.</summary>
    public const string UserIdClaim = "escrow:staff-id";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var claims = await base.GenerateClaimsAsync(user);
        claims.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Email ?? user.UserName ?? user.Id));
        claims.AddClaim(new Claim(StoreStaffRequirement.StoreClaim, host.Value.StoreId));
        if (user.MayManageContracts)
            claims.AddClaim(new Claim(StoreStaffRequirement.PermissionClaim, ApiKeys.EscrowPermissions.ManageContracts));
        if (user.MayArbitrateDisputes)
            claims.AddClaim(new Claim(StoreStaffRequirement.PermissionClaim, ApiKeys.EscrowPermissions.ArbitrateDisputes));
        if (user.IsAdministrator)
            claims.AddClaim(new Claim(AdministratorClaim, "true"));
        return claims;
    }
}
