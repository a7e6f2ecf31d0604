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

    /// <summary>Staff accounts live in the host's own schema, never among the escrow's (the plugin's) tables.</summary>
    [Fact]
    public async Task Staff_accounts_are_kept_in_the_hosts_own_schema_with_lockout_working()
    {
        await app.CreateStaffAsync("pg.member@escrow.test", manageContracts: false, arbitrateDisputes: true);
        var member = app.NewBrowser();
        for (var attempt = 0; attempt < Host.Accounts.StaffAccountsSetup.MaxFailedSignIns; attempt++)
            Assert.False((await member.SubmitSignInAsync("pg.member@escrow.test", "wrong password")).IsRedirect);
        Assert.False((await member.SubmitSignInAsync("pg.member@escrow.test", EscrowApp.AdminPassword)).IsRedirect);

        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT table_schema FROM information_schema.tables WHERE table_name = 'AspNetUsers'", connection);
        var schemas = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                schemas.Add(reader.GetString(0));
        Assert.Equal([Host.Accounts.PostgresStaffIdentityDbContext.Schema], schemas);
        await using var locked = new Npgsql.NpgsqlCommand(
            $"SELECT \"LockoutEnd\" IS NOT NULL FROM \"{Host.Accounts.PostgresStaffIdentityDbContext.Schema}\".\"AspNetUsers\" WHERE \"Email\" = 'pg.member@escrow.test'", connection);
        Assert.Equal(true, await locked.ExecuteScalarAsync());
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
