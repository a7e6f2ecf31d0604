using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Acts in the wrong state or out of role: a message on the page, and the contract exactly as it was.</summary>
public sealed class WrongStateTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task Approving_a_pending_milestone_is_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var error = await PartyPost(c.Client, c.ClientUrl, $"milestones/{c.MilestoneIds[0]}/approve");
        Assert.Contains("Milestone 1", error);
    }

    [Fact]
    public async Task Funding_before_the_contract_is_active_is_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ProposedAsync(staff);
        var error = await PartyPost(c.Client, c.ClientUrl, "fund", ("milestoneIds", c.MilestoneIds[0].ToString()));
        Assert.Contains("cannot be funded", error);

        // Withdrawn to draft: the link still opens the page, but nothing can be funded.
        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        var withdrawn = await staff.SubmitAsync(details, "#WithdrawContract");
        Assert.Equal("Draft", withdrawn.Text("#ContractState"));
        error = await PartyPost(c.Client, c.ClientUrl, "fund", ("milestoneIds", c.MilestoneIds[0].ToString()));
        Assert.Contains("cannot be funded", error);
        Assert.Empty((await app.ContractAsync(c.Id)).Invoices);
    }

    [Fact]
    public async Task Funding_nothing_or_an_unknown_milestone_is_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        Assert.Contains("at least one milestone", await PartyPost(c.Client, c.ClientUrl, "fund"));
        Assert.Contains("not found", await PartyPost(c.Client, c.ClientUrl, "fund", ("milestoneIds", Guid.NewGuid().ToString())));
        Assert.Contains("at least one milestone", await PartyPost(c.Client, c.ClientUrl, "fund", ("milestoneIds", "not-a-guid")));
        Assert.Contains("Only the client", await PartyPost(c.Freelancer, c.FreelancerUrl, "fund", ("milestoneIds", c.MilestoneIds[0].ToString())));
    }

    [Fact]
    public async Task Accepting_an_old_terms_hash_is_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ProposedAsync(staff, ContractForm.Valid("Version one"));
        var oldHash = (await app.ContractAsync(c.Id)).LatestTermsVersion!.Hash;
        var form = ContractForm.Valid("Version two");
        for (var i = 0; i < c.MilestoneIds.Count; i++)
            form[$"Form.Milestones[{i}].Id"] = c.MilestoneIds[i].ToString();
        var edited = await staff.FollowAsync(await staff.PostAsync($"{Urls.Contract(c.Id)}/edit", form));
        Assert.Equal("Version two", (await app.ContractAsync(c.Id)).Title);
        Assert.Contains("Version 2", edited.VisibleText);

        var error = await PartyPost(c.Client, c.ClientUrl, "accept", ("termsHash", oldHash));
        Assert.Contains("not the current ones", error);
        Assert.Contains("not the current ones", await PartyPost(c.Client, c.ClientUrl, "accept", ("termsHash", "")));
        var page = await c.Client.OpenAsync(c.ClientUrl);
        Assert.NotEqual(oldHash, page.Text("#OfferedHash"));
        Assert.Null((await app.ContractAsync(c.Id)).LatestTermsVersion!.ClientAcceptedAt);
    }

    [Fact]
    public async Task Ruling_on_a_dispute_that_is_not_escalated_is_refused_with_a_message()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff);
        await _flow.OpenDisputeAsync(c, 1);
        var before = await app.SnapshotAsync(c.Id);
        var url = Urls.Dispute(c.Id, c.MilestoneIds[0]);
        await staff.OpenAsync(url);

        var page = await staff.PostAsync(url, ("Form.FreelancerShare", "50"), ("Form.Unit", "Percent"), ("Form.Reason", "Too early"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("The parties can still agree", page.VisibleText);
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    [Fact]
    public async Task A_ruling_with_bad_input_is_refused_and_a_good_one_pays_both_sides()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff);
        await _flow.OpenDisputeAsync(c, 1);
        var url = Urls.Dispute(c.Id, c.MilestoneIds[0]);
        var escalated = await staff.SubmitAsync(await staff.OpenAsync(url), "#EscalateDispute");
        Assert.Equal(nameof(DisputeStatus.Escalated), escalated.Text("#DisputeStatus"));
        var before = await app.SnapshotAsync(c.Id);

        foreach (var (share, unit, reason, words) in new[]
        {
            ("150", "Percent", "Fair", "between 0 and 100"),
            ("-5", "Percent", "Fair", "between 0 and 100"),
            ("fifty", "Percent", "Fair", "amount such as"),
            ("0.5", "Amount", "Fair", ""),
            ("0.000000001", "Amount", "Fair", ""),
            ("50", "Percent", "", "reason"),
            ("50", "Percent", new string('r', 20_000), "10000"),
            ("0.005", "Sideways", "Fair", "not valid"),
        })
        {
            var page = await staff.PostAsync(url, ("Form.FreelancerShare", share), ("Form.Unit", unit), ("Form.Reason", reason), ("confirm", "yes"));
            Assert.True(page.Status == HttpStatusCode.OK, $"{share} {unit} {reason.Length}: {page}");
            var shown = page.Find(".validation-summary-errors")?.TextContent ?? page.Find("#EscrowError")?.TextContent ?? "";
            Assert.True(shown.Trim().Length > 0, $"No message for {share} {unit}: {Flow.ErrorsOn(page)}");
            Assert.Contains(words, shown, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, await app.SnapshotAsync(c.Id));
        }

        var ruled = await staff.FollowAsync(await staff.PostAsync(url, ("Form.FreelancerShare", "40"), ("Form.Unit", "Percent"), ("Form.Reason", "Partly delivered"), ("confirm", "yes")));
        Assert.Equal(Urls.Contract(c.Id), ruled.Url.AbsolutePath);
        var contract = await app.ContractAsync(c.Id);
        Assert.Equal(MilestoneState.Resolved, contract.Milestone(c.MilestoneIds[0]).State);
        Assert.Equal(2, contract.Payouts.Count);
        Assert.Equal(0.004m, contract.Payouts.Single(p => p.Recipient == Core.Contracts.PartyRole.Freelancer).Amount.Amount);
        Assert.Equal(0.006m, contract.Payouts.Single(p => p.Recipient == Core.Contracts.PartyRole.Client).Amount.Amount);
    }

    [Fact]
    public async Task Cancelling_with_a_milestone_under_review_is_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.SubmittedAsync(staff);
        var before = await app.SnapshotAsync(c.Id);
        var details = await staff.OpenAsync(Urls.Contract(c.Id));

        var page = await staff.SubmitConfirmedAsync(details, "#CancelContract", ("reason", "Changed our mind"));
        Assert.Contains("under review or in dispute", page.Text("#EscrowError"));
        Assert.Equal("Active", page.Text("#ContractState"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        var noReason = await staff.SubmitConfirmedAsync(details, "#CancelContract", ("reason", " "));
        Assert.Contains("reason", noReason.Text("#EscrowError"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    [Fact]
    public async Task Parties_acting_out_of_role_are_refused()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.SubmittedAsync(staff);
        var m = c.MilestoneIds[0];
        Assert.Contains("Only the client", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/approve"));
        Assert.Contains("Only the client", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/changes", ("message", "I want changes")));
        Assert.Contains("Only the client", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/cancel-missed"));
        Assert.Contains("Only the freelancer", await PartyPost(c.Client, c.ClientUrl, $"milestones/{m}/submit", ("message", "I deliver myself")));
        // The freelancer's page offers no approve button at all.
        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        Assert.Null(page.Find(".approve-milestone"));
    }

    [Fact]
    public async Task Unknown_milestones_and_bad_deliveries_are_refused_with_a_message()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff);
        Assert.Contains("milestone was not found", await PartyPost(c.Client, c.ClientUrl, $"milestones/{Guid.NewGuid()}/approve"));
        var m = c.MilestoneIds[0];
        Assert.Contains("delivery message is required", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/submit", ("message", "")));
        Assert.Contains("not an http(s) link", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/submit", ("message", "Done"), ("links", "javascript:alert(1)")));
        Assert.Contains("not a SHA-256", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/submit", ("message", "Done"), ("fileHashes", "abc")));
        Assert.Contains("at most 10000", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/submit", ("message", new string('m', 100_000))));
        Assert.Contains("Milestone 2", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{c.MilestoneIds[1]}/submit", ("message", "Not funded yet")));
    }

    [Fact]
    public async Task Bad_split_proposals_and_answers_change_nothing()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.FundedAsync(staff);
        await _flow.OpenDisputeAsync(c, 1);
        var m = c.MilestoneIds[0];
        Assert.Contains("amount such as", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/propose", ("freelancerAmount", "lots")));
        Assert.Contains("amount such as", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/propose", ("freelancerAmount", "")));
        Assert.Contains("cannot exceed", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/propose", ("freelancerAmount", "0.02")));
        Assert.Contains("negative", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/propose", ("freelancerAmount", "-0.001")));
        Assert.Contains("decimals", await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/propose", ("freelancerAmount", "0.000000001")));

        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        await c.Freelancer.SubmitAsync(page, "#Milestone1 .propose-split", ("freelancerAmount", "0.006"));
        var proposal = (await app.ContractAsync(c.Id)).Disputes.Single().Proposals.Single();
        // An answer that is neither yes nor no must not count as a rejection.
        var error = await PartyPost(c.Client, c.ClientUrl, $"milestones/{m}/dispute/proposals/{proposal.Id}/answer", ("accept", "maybe"));
        Assert.True(error.Length > 0);
        Assert.Equal(ProposalStatus.Open, (await app.ContractAsync(c.Id)).Disputes.Single().Proposals.Single().Status);
        Assert.Contains("not found", await PartyPost(c.Client, c.ClientUrl, $"milestones/{m}/dispute/proposals/{Guid.NewGuid()}/answer", ("accept", "true")));
        Assert.True((await PartyPost(c.Freelancer, c.FreelancerUrl, $"milestones/{m}/dispute/proposals/{proposal.Id}/answer", ("accept", "true"))).Length > 0);
        Assert.Equal(ProposalStatus.Open, (await app.ContractAsync(c.Id)).Disputes.Single().Proposals.Single().Status);
    }

    [Fact]
    public async Task Staff_acts_in_the_wrong_state_show_the_reason()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff);
        var before = await app.SnapshotAsync(c.Id);
        var token = await staff.TokenAsync();
        foreach (var act in new[] { "propose", "withdraw" })
        {
            var page = await staff.FollowAsync(await staff.PostAsync($"{Urls.Contract(c.Id)}/{act}", [new("__RequestVerificationToken", token)]));
            Assert.Contains("while it is", page.Text("#EscrowError"));
            Assert.Equal(before, await app.SnapshotAsync(c.Id));
        }
        var late = await staff.FollowAsync(await staff.PostAsync($"{Urls.Contract(c.Id)}/payments/sbx_pay_unknown/accept", [new("__RequestVerificationToken", token)]));
        Assert.True(late.Text("#EscrowError").Length > 0);
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    /// <summary>Posts to a party route like a crafted form, follows to the party page, and returns its error message (state must be unchanged).</summary>
    private async Task<string> PartyPost(Browser party, string partyUrl, string route, params (string, string)[] fields)
    {
        var contractId = await ContractIdOf(partyUrl);
        var before = await app.SnapshotAsync(contractId);
        await party.OpenAsync(partyUrl);
        var answer = await party.PostAsync($"{partyUrl}/{route}", fields);
        Assert.True(answer.IsRedirect, $"{route}: {answer}");
        Assert.Equal(partyUrl, answer.Location!.IsAbsoluteUri ? answer.Location.AbsolutePath : answer.Location.OriginalString);
        var page = await party.FollowAsync(answer);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var error = page.Find("#EscrowError")?.TextContent.Trim();
        Assert.True(error is { Length: > 0 }, $"{route}: no error shown; notice: {page.Find("#EscrowNotice")?.TextContent}");
        Assert.Equal(before, await app.SnapshotAsync(contractId));
        return error!;
    }

    private async Task<Guid> ContractIdOf(string partyUrl) =>
        (await app.FindByTokenAsync(partyUrl.Split('/').Last()) ?? throw new InvalidOperationException("Dead link")).Id;
}
