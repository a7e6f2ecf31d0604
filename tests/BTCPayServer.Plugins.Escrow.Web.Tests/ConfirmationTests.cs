using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// Staff acts that move money or cannot be undone ask first: the first post shows what will happen with the exact
/// amounts and changes nothing; only the confirmation (<c>confirm=yes</c>, a plain form, no script) acts.
/// </summary>
public sealed class ConfirmationTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Cancelling_a_funded_contract_states_the_refund_and_acts_only_when_confirmed()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, ContractForm.Valid("Cancel asks first", "USD", "1000.00", "250.00")
            .With("Form.Fee.Percent", "6").With("Form.Fee.ChargedTo", "Client"));
        var before = await app.SnapshotAsync(c.Id);

        var asked = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#CancelContract", ("reason", "The client withdrew"));
        var effects = asked.Text("#ConfirmEffects");
        Assert.Contains("Refund 1060.00 USD in all to Alice Client (client); release nothing to Bob Freelancer.", effects);
        Assert.Contains("Reason shown to both parties: The client withdrew", effects);
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        var done = await staff.SubmitAsync(asked, "#ConfirmAct");
        Assert.Equal("Cancelled", done.Text("#ContractState"));
        Assert.Equal(ContractState.Cancelled, (await app.ContractAsync(c.Id)).State);
    }

    [Fact]
    public async Task Revoking_a_link_asks_first_and_the_link_works_until_confirmed()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ProposedAsync(staff, ContractForm.Valid("Revoke asks first"));
        var before = await app.SnapshotAsync(c.Id);

        var asked = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#RevokeClient");
        Assert.Contains("Every link of Alice Client (client) stops working at once, including links sent by email", asked.Text("#ConfirmEffects"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await c.Client.GetAsync(c.ClientUrl)).Status);

        await staff.SubmitAsync(asked, "#ConfirmAct");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await c.Client.GetAsync(c.ClientUrl)).Status);
    }

    [Fact]
    public async Task A_ruling_states_what_each_party_gets_and_rules_only_when_confirmed()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff, ContractForm.Valid("Ruling asks first", "USD", "1000.00")
            .With("Form.Fee.Percent", "6").With("Form.Fee.ChargedTo", "Freelancer"));
        await _flow.SubmitDeliverableAsync(c, 1);
        await _flow.OpenDisputeAsync(c, 1);
        var url = Urls.Dispute(c.Id, c.MilestoneIds[0]);
        await staff.SubmitAsync(await staff.OpenAsync(url), "#EscalateDispute");
        var before = await app.SnapshotAsync(c.Id);

        var asked = await staff.SubmitAsync(await staff.OpenAsync(url), "#SubmitRuling", ("Form.FreelancerShare", "50"), ("Form.Reason", "Half delivered"));
        var effects = asked.Text("#ConfirmEffects");
        Assert.Contains("Release 470.00 USD to Bob Freelancer (freelancer).", effects);
        Assert.Contains("Refund 500.00 USD to Alice Client (client).", effects);
        Assert.Contains("The agency keeps 30.00 USD fee.", effects);
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        await staff.SubmitAsync(asked, "#ConfirmAct");
        var milestone = (await app.ContractAsync(c.Id)).Milestones.Single();
        Assert.Equal(MilestoneState.Resolved, milestone.State);
        Assert.Equal(470.00m, milestone.ReleasedToFreelancer.Amount);
    }
}
