using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// A staff member who may arbitrate disputes but not manage contracts (in BTCPay: a store role with only "Arbitrate
/// escrow disputes"; in the standalone host: an account with only that permission on the Staff page).
/// </summary>
public sealed class ArbiterOnlyTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_dispute_queue_offers_the_contracts_only_to_staff_who_may_open_them()
    {
        var arbiter = await app.StaffMemberAsync("arbiter@escrow.test", manageContracts: false, arbitrateDisputes: true);
        Assert.Equal(HttpStatusCode.NotFound, (await arbiter.GetAsync(Urls.Staff())).Status);
        var queue = await arbiter.OpenAsync(Urls.Disputes());
        Assert.Equal(HttpStatusCode.OK, queue.Status);
        Assert.Null(queue.Find("#ContractsLink"));
        Assert.DoesNotContain(queue.Document.QuerySelectorAll("a"), a => a.GetAttribute("href")?.TrimEnd('/') == Urls.Staff());

        // A ruling leads back to the queue, not to the contract page the arbiter may not open.
        var disputed = await OtherStoreContract.CreateAsync(app, EscrowApp.StoreId);
        var rule = Urls.Dispute(disputed.Id, disputed.MilestoneId);
        await arbiter.SubmitAsync(await arbiter.OpenAsync(rule), "#EscalateDispute");
        var ruled = await arbiter.PostAsync(rule, ("Form.FreelancerShare", "50"), ("Form.Unit", "Percent"), ("Form.Reason", "Half done"), ("confirm", "yes"));
        Assert.Equal(Urls.Disputes(), ruled.Location?.OriginalString);

        var admin = await app.StaffAsync();
        var full = await admin.OpenAsync(Urls.Disputes());
        Assert.Equal(Urls.Staff(), full.Get("#ContractsLink").GetAttribute("href"));
    }
}
