using BTCPayServer.Client;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Security;
using BTCPayServer.Services;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Security;

/// <summary>
/// The escrow's two store permissions as BTCPay grants them (store roles, API keys), both part of "modify store
/// settings", and the Web library's policies mapped onto them for signed-in users.
/// </summary>
public static class EscrowPermissions
{
    public const string CanManageContracts = "btcpay.plugin.store.escrow.canmanagecontracts";
    public const string CanArbitrateDisputes = "btcpay.plugin.store.escrow.canarbitratedisputes";

    public static IServiceCollection AddEscrowPermissions(this IServiceCollection services)
    {
        services.AddPolicyDefinitions(
            new PolicyDefinition(
                CanManageContracts,
                new PermissionDisplay("Manage escrow contracts", "Allows drafting escrow contracts, sending party links and following escrow ledgers on all your stores."),
                new PermissionDisplay("Manage escrow contracts", "Allows drafting escrow contracts, sending party links and following escrow ledgers on the selected stores."),
                includedByPermissions: [Policies.CanModifyStoreSettings]),
            new PolicyDefinition(
                CanArbitrateDisputes,
                new PermissionDisplay("Arbitrate escrow disputes", "Allows ruling on escrow disputes, which releases and refunds escrowed money, on all your stores."),
                new PermissionDisplay("Arbitrate escrow disputes", "Allows ruling on escrow disputes, which releases and refunds escrowed money, on the selected stores."),
                includedByPermissions: [Policies.CanModifyStoreSettings]));
        services.Configure<AuthorizationOptions>(options =>
        {
            options.AddPolicy(EscrowPolicies.ManageContracts, SignedInWith(CanManageContracts));
            options.AddPolicy(EscrowPolicies.ArbitrateDisputes, SignedInWith(CanArbitrateDisputes));
        });
        return services;
    }

    /// <summary>
    /// The permission on the store of the route (its <c>storeId</c>). The policy names no authentication scheme: the
    /// pages (no scheme of their own) are read with BTCPay's default, the sign-in cookie; the API's controllers name
    /// BTCPay's Greenfield schemes (API keys, and Basic as everywhere in BTCPay's API), so there only those count (an
    /// API key needs the permission and a user whose store role has it), never the cookie of a signed-in browser.
    /// </summary>
    private static AuthorizationPolicy SignedInWith(string permission) =>
        new AuthorizationPolicyBuilder()
            .AddRequirements(new PolicyRequirement(permission))
            .Build();
}
