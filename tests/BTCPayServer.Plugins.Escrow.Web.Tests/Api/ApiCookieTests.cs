using System.Net;
using BTCPayServer.Plugins.Escrow.Host.ApiKeys;
using BTCPayServer.Plugins.Escrow.Host.Accounts;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// The host's policies name the sign-in cookie too, as BTCPay's do for its pages: the API must still refuse a caller
/// that brought only the cookie (a page in another tab could post with it; the API has no antiforgery token).
/// </summary>
public sealed class CookiePoliciesApp : ApiApp
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<AuthorizationOptions>(o =>
        {
            o.AddPolicy(EscrowPolicies.ManageContracts, new AuthorizationPolicyBuilder(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
                .AddRequirements(new StoreStaffRequirement(EscrowPermissions.ManageContracts)).Build());
            o.AddPolicy(EscrowPolicies.ArbitrateDisputes, new AuthorizationPolicyBuilder(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
                .AddRequirements(new StoreStaffRequirement(EscrowPermissions.ArbitrateDisputes)).Build());
        });
}

public sealed class ApiCookieTests(CookiePoliciesApp app) : IClassFixture<CookiePoliciesApp>
{
    [Fact]
    public async Task The_sign_in_cookie_alone_never_acts_through_the_API_even_when_a_policy_names_it()
    {
        var id = ApiContracts.IdOf(await ApiContracts.CreateAsync(app.Api(app.ManageKey)));
        var staff = await app.StaffAsync();
        var count = await app.CountContractsAsync();
        var before = await app.SnapshotAsync(id);
        foreach (var (method, path) in new[] { ("POST", $"/contracts/{id}/clone"), ("POST", $"/contracts/{id}/send"), ("GET", "/contracts") })
        {
            var answer = await staff.SendRawAsync(new HttpRequestMessage(new HttpMethod(method), ApiApp.Path(path)) { Content = method == "POST" ? new FormUrlEncodedContent([]) : null });
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        }
        Assert.Equal(count, await app.CountContractsAsync());
        Assert.Equal(before, await app.SnapshotAsync(id));
        // With a key, the same host answers.
        Assert.Equal(HttpStatusCode.OK, (await app.Api(app.ManageKey).GetAsync(ApiApp.Path("/contracts"))).Status);
    }
}
