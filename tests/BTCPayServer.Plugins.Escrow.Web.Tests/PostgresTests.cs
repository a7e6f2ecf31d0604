using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The same pages with the host's storage on PostgreSQL (ESCROW_TEST_POSTGRES, a database of its own).</summary>
public sealed class PostgresTests(PostgresEscrowApp app) : IClassFixture<PostgresEscrowApp>
{
    [Fact]
    public async Task A_contract_goes_from_draft_to_a_verified_receipt_on_postgres()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var c = await flow.SubmittedAsync(staff);
        var client = await c.Client.OpenAsync(c.ClientUrl);
        var approved = await c.Client.SubmitAsync(await c.Client.SubmitAsync(client, "#Milestone1 .approve-milestone"), "#ConfirmButton");
        Assert.Equal(nameof(MilestoneState.Approved), approved.Get("#Milestone1").GetAttribute("data-state"));

        var receipt = await app.NewBrowser().GetAsync(Urls.Receipt(c.Id));
        var verification = receipt.Text("#ReceiptVerification");
        Assert.True(verification.StartsWith("Verified"), verification);
        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Contains("verified", details.Text("#AuditVerification"));
        Assert.Contains("Website redesign", (await staff.OpenAsync(Urls.Staff())).Text("#ContractList"));
    }

    [Fact]
    public async Task Refusals_and_dead_links_behave_the_same_on_postgres()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var c = await flow.ActiveAsync(staff);
        var before = await app.SnapshotAsync(c.Id);

        var bad = await staff.PostAsync($"{Urls.Contract(c.Id)}/edit", ContractForm.Valid().With("Form.Milestones[0].Amount", "0.123456789"));
        Assert.Equal(HttpStatusCode.OK, bad.Status);
        Assert.Contains("decimals", FormErrors.NextTo(bad, "Form.Milestones[0].Amount"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        var rotated = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#RotateClient");
        var fresh = new Uri(rotated.Get("#ClientLink").GetAttribute("value")!).AbsolutePath;
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(c.ClientUrl)).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(fresh)).Status);

        var other = await OtherStoreContract.CreateAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync(Urls.Contract(other.Id))).Status);
    }
}
