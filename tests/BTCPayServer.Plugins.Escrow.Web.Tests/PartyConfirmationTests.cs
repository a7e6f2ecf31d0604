using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Party acts that move money answer first with a confirmation stating the figures; only confirm=yes acts. Plain HTML, no JavaScript.</summary>
public sealed class PartyConfirmationTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Approving_without_confirmation_changes_nothing_and_states_the_release_and_the_fee()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff, ContractForm.Valid("Confirmed release", "USD", "1000.00").With("Form.Fee.Percent", "6"));
        await _flow.FundAsync(c, 1);
        await _flow.SubmitDeliverableAsync(c, 1);
        var before = await app.SnapshotAsync(c.Id);

        var confirmation = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .approve-milestone");

        Assert.Equal(HttpStatusCode.OK, confirmation.Status);
        Assert.Equal("Approve milestone 1 and release 940.00 USD to Bob Freelancer?", confirmation.Text("#ConfirmHeading"));
        Assert.Contains("The agency keeps 60.00 USD fee", confirmation.Text(".confirm-figures"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        var done = await c.Client.SubmitAsync(confirmation, "#ConfirmButton");
        Assert.Contains("Approved", done.Text("#EscrowNotice"));
        // The host's worker may already have paid the approved milestone out by the time the page is drawn (under load).
        Assert.Contains(done.Get("#Milestone1").GetAttribute("data-state"), new[] { nameof(MilestoneState.Approved), nameof(MilestoneState.Released) });
    }

    [Fact]
    public async Task Going_back_from_a_confirmation_changes_nothing()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.SubmittedAsync(staff);
        var before = await app.SnapshotAsync(c.Id);
        var confirmation = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .approve-milestone");
        var back = await c.Client.OpenAsync(confirmation.Get("#ConfirmCancel").GetAttribute("href")!);
        Assert.Equal(nameof(MilestoneState.Submitted), back.Get("#Milestone1").GetAttribute("data-state"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    [Fact]
    public async Task Accepting_a_split_without_confirmation_changes_nothing_and_states_both_shares()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, ContractForm.Valid("Confirmed split", "USD", "1000.00", "10.00"));
        await _flow.OpenDisputeAsync(c, 1);
        await c.Freelancer.SubmitAsync(await c.Freelancer.OpenAsync(c.FreelancerUrl), "#Milestone1 .propose-split", ("freelancerAmount", "400.00"), ("note", "Part"));
        var before = await app.SnapshotAsync(c.Id);

        var confirmation = await c.Client.SubmitAsync(await c.Client.OpenAsync(c.ClientUrl), "#Milestone1 .accept-split");

        Assert.Contains("Bob Freelancer receives 400.00 USD", confirmation.Text(".confirm-figures"));
        Assert.Contains("Alice Client gets back 600.00 USD", confirmation.Text(".confirm-figures"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        var done = await c.Client.SubmitAsync(confirmation, "#ConfirmButton");
        Assert.Equal("You accepted the split.", done.Text("#EscrowNotice"));
        Assert.Equal(nameof(MilestoneState.Resolved), done.Get("#Milestone1").GetAttribute("data-state"));
    }
}
