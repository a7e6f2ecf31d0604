using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// The host with a staff member who may arbitrate disputes but not manage contracts (in BTCPay: a store role with only
/// "Arbitrate escrow disputes"). The standalone host has one administrator, so the fixture takes the right away.
/// </summary>
public sealed class ArbiterOnlyApp : EscrowApp
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.PostConfigure<AuthorizationOptions>(o => o.AddPolicy(EscrowPolicies.ManageContracts, p => p.RequireAssertion(_ => false)));
}

public sealed class ArbiterOnlyTests(ArbiterOnlyApp arbiterApp, EscrowApp fullApp) : IClassFixture<ArbiterOnlyApp>, IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_dispute_queue_offers_the_contracts_only_to_staff_who_may_open_them()
    {
        var arbiter = await arbiterApp.StaffAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await arbiter.GetAsync(Urls.Staff())).Status);
        var queue = await arbiter.OpenAsync(Urls.Disputes());
        Assert.Equal(HttpStatusCode.OK, queue.Status);
        Assert.Null(queue.Find("#ContractsLink"));
        Assert.DoesNotContain(queue.Document.QuerySelectorAll("a"), a => a.GetAttribute("href")?.TrimEnd('/') == Urls.Staff());

        // A ruling leads back to the queue, not to the contract page the arbiter may not open.
        var disputed = await OtherStoreContract.CreateAsync(arbiterApp, EscrowApp.StoreId);
        var rule = Urls.Dispute(disputed.Id, disputed.MilestoneId);
        await arbiter.SubmitAsync(await arbiter.OpenAsync(rule), "#EscalateDispute");
        var ruled = await arbiter.PostAsync(rule, ("Form.FreelancerShare", "50"), ("Form.Unit", "Percent"), ("Form.Reason", "Half done"), ("confirm", "yes"));
        Assert.Equal(Urls.Disputes(), ruled.Location?.OriginalString);

        var admin = await fullApp.StaffAsync();
        var full = await admin.OpenAsync(Urls.Disputes());
        Assert.Equal(Urls.Staff(), full.Get("#ContractsLink").GetAttribute("href"));
    }
}
