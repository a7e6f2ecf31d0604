using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Bounds that keep one party from hurting a contract: message counts, page sizes, due dates.</summary>
public sealed class DisputeBoundsTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private static readonly string LongText = new('x', Dispute.MaxTextLength);

    private Task<OtherStoreContract> DisputedAsync(string title) =>
        OtherStoreContract.CreateAsync(app, EscrowApp.StoreId, title, "Bea Client", "Ben Freelancer", "bea@client.test", "Not delivered");

    private async Task PostAsync(string token, Guid milestoneId, string text)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PartyActions>().PostDisputeMessageAsync(token, milestoneId, text, CancellationToken.None);
    }

    [Fact]
    public async Task A_party_posting_too_fast_is_told_to_wait_and_nothing_is_stored()
    {
        var c = await DisputedAsync("Chatty dispute");
        for (var i = 0; i < Dispute.MaxMessagesPerHour; i++)
            await PostAsync(c.ClientToken, c.MilestoneId, $"Message {i}");
        var before = await app.SnapshotAsync(c.Id);

        var client = app.NewBrowser();
        await client.OpenAsync(Urls.Party(c.ClientToken));
        var page = await client.FollowAsync(await client.PostAsync($"{Urls.Party(c.ClientToken)}/milestones/{c.MilestoneId}/dispute/message", ("text", "One more")));

        Assert.Contains("within the last hour", page.Text("#EscrowError"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    [Fact]
    public async Task A_full_thread_is_shown_a_page_at_a_time_and_refuses_more()
    {
        var c = await DisputedAsync("Long dispute");
        var clock = app.Services.GetRequiredService<SandboxClock>();
        for (var i = 0; i < Dispute.MaxMessages; i++)
        {
            if (i > 0 && i % (2 * Dispute.MaxMessagesPerHour) == 0)
                clock.Advance(TimeSpan.FromMinutes(61));
            await PostAsync(i % 2 == 0 ? c.ClientToken : c.FreelancerToken, c.MilestoneId, $"{i:000} {LongText}"[..Dispute.MaxTextLength]);
        }
        clock.Advance(TimeSpan.FromMinutes(61));
        await Assert.ThrowsAsync<Core.InvalidTransitionException>(() => PostAsync(c.ClientToken, c.MilestoneId, "One more"));

        var party = await app.NewBrowser().GetAsync(Urls.Party(c.ClientToken));
        Assert.Equal(HttpStatusCode.OK, party.Status);
        Assert.Equal(Dispute.MessagesPerPage, party.Document.QuerySelectorAll(".dispute-message").Length);
        Assert.True(party.Body.Length < 300_000, $"The party page is {party.Body.Length} characters long.");
        var earlier = party.Get(".earlier-messages").GetAttribute("href")!;
        var second = await app.NewBrowser().GetAsync(earlier);
        Assert.Equal(Dispute.MessagesPerPage, second.Document.QuerySelectorAll(".dispute-message").Length);
        Assert.StartsWith("Client", second.Text(".dispute-message small"));
        Assert.Contains("060 ", second.Text(".dispute-message div"));

        var staff = await app.StaffAsync();
        var ruling = await staff.GetAsync(Urls.Dispute(c.Id, c.MilestoneId));
        Assert.Equal(Dispute.MessagesPerPage, ruling.Document.QuerySelectorAll(".dispute-message").Length);
        Assert.True(ruling.Body.Length < 300_000, $"The ruling page is {ruling.Body.Length} characters long.");
        Assert.NotNull(ruling.Find(".earlier-messages"));
    }

    [Fact]
    public async Task A_due_date_far_in_the_future_is_refused_next_to_its_field()
    {
        var staff = await app.StaffAsync();
        var count = await app.CountContractsAsync();
        await staff.OpenAsync(Urls.NewContract());
        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid("Someday", amounts: ["0.01"]).With("Form.Milestones[0].DueDate", "9999-12-31"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("at most 10 years ahead", FormErrors.NextTo(page, "Form.Milestones[0].DueDate"));
        Assert.Equal(count, await app.CountContractsAsync());
    }
}
