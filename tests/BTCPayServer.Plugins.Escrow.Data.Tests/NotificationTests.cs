using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>Parties hear about an act only once it is stored, and a notifier that fails never undoes the act.</summary>
public abstract class NotificationTests(StoreDatabase database)
{
    private sealed class Recorder(bool fail, bool sendsLinks = true) : IEscrowNotifier
    {
        public bool SendsLinks => sendsLinks;

        public List<EscrowNotification> Sent { get; } = [];

        public Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken)
        {
            if (fail)
                throw new InvalidOperationException("mail server down");
            Sent.Add(notification);
            return Task.FromResult(NotificationResult.Sent);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_saved_timer_act_notifies_after_the_save_and_a_failing_notifier_does_not_undo_it(bool notifierFails)
    {
        var (clock, contract) = await PastItsReviewWindowAsync();
        var recorder = new Recorder(notifierFails);

        var changed = await new TimerSweep(new EfContractStoreFactory(database.NewContext), clock, recorder).RunDueAsync(CancellationToken.None);

        Assert.True(changed >= 1);
        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(MilestoneState.Approved, stored.Milestones[0].State);
        if (!notifierFails)
            Assert.Contains(recorder.Sent, n => n.ContractId == contract.Id && n.Recipient == contract.Freelancer.Email && n.Subject.Contains("approved"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_email_carries_a_fresh_link_of_its_party_stored_only_as_a_hash_with_the_act(bool notifierFails)
    {
        var (clock, contract) = await PastItsReviewWindowAsync();
        var recorder = new Recorder(notifierFails);

        await new TimerSweep(new EfContractStoreFactory(database.NewContext), clock, recorder).RunDueAsync(CancellationToken.None);

        var stored = await database.LoadAsync(contract.Id);
        var emailed = stored.PartyAccess.Where(a => a.Role == PartyRole.Freelancer && a.ExpiresAt is not null).ToList();
        Assert.Single(emailed); // one link per party per act, however many messages it causes
        Assert.Equal(emailed[0].IssuedAt + Contract.EmailLinkLifetime, emailed[0].ExpiresAt);
        Assert.Contains(await AuditOf(contract.Id), e => e.Type == "access.emailed");
        if (notifierFails)
            return;
        var message = Assert.Single(recorder.Sent, n => n.Subject.Contains("approved"));
        Assert.Equal(PartyRole.Freelancer, message.To);
        var token = message.Link!.Token;
        Assert.Equal(CapabilityToken.HashOf(token), emailed[0].TokenHash);
        await using var store = database.NewStore();
        var found = await store.FindByPartyTokenHashAsync(CapabilityToken.HashOf(token), CancellationToken.None);
        Assert.Equal(PartyRole.Freelancer, found?.Authorize(token, clock.GetUtcNow()));
        Assert.DoesNotContain(token, message.ToString());
        Assert.All(await AuditOf(contract.Id), e => Assert.DoesNotContain(token, e.Data));
        Assert.All(recorder.Sent, n => Assert.Same(message.Link, n.Link));
    }

    [Fact]
    public async Task A_host_that_sends_nothing_issues_no_links()
    {
        var (clock, contract) = await PastItsReviewWindowAsync();
        var before = (await database.LoadAsync(contract.Id)).PartyAccess.Count;

        await new TimerSweep(new EfContractStoreFactory(database.NewContext), clock, new NoNotifications()).RunDueAsync(CancellationToken.None);

        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(MilestoneState.Approved, stored.Milestones[0].State);
        Assert.Equal(before, stored.PartyAccess.Count);
    }

    [Fact]
    public async Task A_link_request_finds_the_address_on_the_store_open_contracts_only_and_emails_each_a_fresh_link()
    {
        var clock = Build.Clock();
        var store = Build.Unique("store");
        var active = Build.Draft(clock, store);
        Build.Activate(active, clock);
        var proposed = Build.Draft(clock, store);
        proposed.Propose(Build.Agency, clock.GetUtcNow());
        var draft = Build.Draft(clock, store);
        var cancelled = Build.Draft(clock, store);
        Build.Activate(cancelled, clock);
        cancelled.Cancel(Build.Agency, "Client left", clock.GetUtcNow());
        var elsewhere = Build.Draft(clock, Build.Unique("other-store"));
        Build.Activate(elsewhere, clock);
        foreach (var c in new[] { active, proposed, draft, cancelled, elsewhere })
            await database.AddAsync(c);
        var queries = new EfContractQueries(database.NewContext);

        var found = await queries.FindContractsOfPartyAsync(store, "  CAROL@example.COM ", CancellationToken.None);

        Assert.Equal(new[] { active.Id, proposed.Id }.Order(), found.Select(f => f.ContractId).Order());
        Assert.All(found, f => Assert.Equal(PartyRole.Client, f.Role));
        Assert.All(await queries.FindContractsOfPartyAsync(store, "fred@example.com", CancellationToken.None), f => Assert.Equal(PartyRole.Freelancer, f.Role));
        Assert.Empty(await queries.FindContractsOfPartyAsync(store, "someone@example.com", CancellationToken.None));
        Assert.Empty(await queries.FindContractsOfPartyAsync(store, "carol@example", CancellationToken.None));

        var recorder = new Recorder(fail: false);
        var sent = await new LinkRequests(new EfContractStoreFactory(database.NewContext), queries, clock, recorder).SendAsync(store, "carol@example.com", CancellationToken.None);

        Assert.Equal(2, sent);
        Assert.Equal(new[] { active.Id, proposed.Id }.Order(), recorder.Sent.Select(n => n.ContractId).Order());
        foreach (var message in recorder.Sent)
        {
            Assert.Equal("carol@example.com", message.Recipient);
            Assert.Equal(PartyRole.Client, message.To);
            var stored = await database.LoadAsync(message.ContractId);
            Assert.Equal(PartyRole.Client, stored.Authorize(message.Link!.Token, clock.GetUtcNow()));
            var audit = await AuditOf(message.ContractId);
            Assert.Contains(audit, e => e.Type == "access.requested");
            Assert.All(audit, e => Assert.DoesNotContain(message.Link.Token, e.Data));
        }
    }

    /// <summary>A stored contract whose first milestone was delivered, with the clock past its review window (auto-approval due).</summary>
    private async Task<(Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock, Contract Contract)> PastItsReviewWindowAsync()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);
        clock.Advance(TimeSpan.FromDays(15));
        return (clock, contract);
    }

    private Task<IReadOnlyList<Core.Audit.AuditEntry>> AuditOf(Guid contractId) =>
        new EfContractStoreFactory(database.NewContext).ReadAsync(contractId, CancellationToken.None);
}
