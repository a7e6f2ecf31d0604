using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>A contract made for the sweep through the application services, with its party tokens.</summary>
public sealed record SweepContract(Guid Id, string ClientToken, string FreelancerToken, IReadOnlyList<Guid> MilestoneIds)
{
    public string ClientUrl => Urls.Party(ClientToken);
    public string FreelancerUrl => Urls.Party(FreelancerToken);
}

/// <summary>
/// The host for the bad input sweep, and what the sweep needs in every state: contracts made through the application
/// services (fast, no pages), funded milestones to dispute, escalated disputes to rule on, pull payments to claim. An
/// accepted value uses its target up; the next value gets a fresh one.
/// </summary>
public sealed class SweepApp : EscrowApp
{
    private const decimal MilestoneAmount = 0.001m;
    private readonly Queue<(SweepContract Contract, Guid MilestoneId)> _funded = new();
    private readonly Queue<(SweepContract Contract, string PullPaymentId)> _pullPayments = new();
    private Browser? _party;
    private int _partyUses;
    private int _made;

    public Browser Staff { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
    }

    /// <summary>Party pages are rate limited per client address: the sweep moves to a fresh browser now and then.</summary>
    public Task<Browser> PartyBrowserAsync()
    {
        if (_party is null || ++_partyUses > 25)
        {
            _party = NewBrowser();
            _partyUses = 0;
        }
        return Task.FromResult(_party);
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> act)
    {
        await using var scope = Services.CreateAsyncScope();
        return await act(scope.ServiceProvider);
    }

    /// <summary>
    /// Acts through the application services; a conflict with the worker (making an earlier payout of the same contract
    /// claimable) is retried, as a person would reload and click again.
    /// </summary>
    public async Task WithAsync(Func<IServiceProvider, Task> act)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WithAsync(async sp => { await act(sp); return true; });
                return;
            }
            catch (Core.ConcurrencyConflictException) when (attempt < 10)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>A BTC contract with <paramref name="milestones"/> milestones of 0.001; proposed, and accepted unless told.</summary>
    public async Task<SweepContract> NewContractAsync(int milestones, bool accept = true)
    {
        var ct = CancellationToken.None;
        var form = new ContractFormModel
        {
            Title = $"Sweep target {++_made}",
            Scope = "Made for the bad input sweep.",
            Client = new PartyFormModel { Name = "Alice Client", Email = "alice@client.test" },
            Freelancer = new PartyFormModel { Name = "Bob Freelancer", Email = "bob@freelancer.test" },
            Currency = "BTC",
            Milestones = Enumerable.Range(1, milestones).Select(i => new MilestoneFormModel
            {
                Title = $"Milestone {i}", Amount = MilestoneAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(60)),
            }).ToList(),
        };
        return await WithAsync(async sp =>
        {
            var drafting = sp.GetRequiredService<ContractDrafting>();
            var parties = sp.GetRequiredService<PartyActions>();
            var agency = Actor.Agency("sweep-staff");
            var id = await drafting.CreateDraftAsync(StoreId, form.ToTerms(), agency, ct);
            var links = await drafting.ProposeAsync(StoreId, id, agency, ct);
            if (accept)
            {
                var hash = (await ContractAsync(id)).LatestTermsVersion!.Hash;
                await parties.AcceptTermsAsync(links.ClientToken!, hash, ct);
                await parties.AcceptTermsAsync(links.FreelancerToken!, hash, ct);
            }
            var contract = await ContractAsync(id);
            return new SweepContract(id, links.ClientToken!, links.FreelancerToken!, contract.Milestones.OrderBy(m => m.Number).Select(m => m.Id).ToList());
        });
    }

    /// <summary>The client funds these milestones with one invoice, paid in full in the sandbox.</summary>
    public Task FundAsync(SweepContract c, IReadOnlyList<Guid> milestoneIds) => WithAsync(async sp =>
    {
        var checkout = await sp.GetRequiredService<PartyActions>().FundAsync(c.ClientToken, milestoneIds.ToList(), _ => "http://localhost/", CancellationToken.None);
        await sp.GetRequiredService<SandboxCashier>().PayAsync(checkout.CheckoutLink.Split('/').Last(), MilestoneAmount * milestoneIds.Count, "onchain", CancellationToken.None);
    });

    /// <summary>A funded milestone nobody has touched yet (many come from one contract funded at once).</summary>
    public async Task<(SweepContract Contract, Guid MilestoneId)> FundedMilestoneAsync()
    {
        if (_funded.Count == 0)
        {
            var c = await NewContractAsync(12);
            await FundAsync(c, c.MilestoneIds);
            foreach (var m in c.MilestoneIds)
                _funded.Enqueue((c, m));
        }
        return _funded.Dequeue();
    }

    public async Task<(SweepContract Contract, Guid MilestoneId)> DisputedMilestoneAsync(bool escalate)
    {
        var (c, m) = await FundedMilestoneAsync();
        await WithAsync(async sp =>
        {
            var parties = sp.GetRequiredService<PartyActions>();
            await parties.OpenDisputeAsync(c.ClientToken, m, "The work is incomplete.", CancellationToken.None);
            if (escalate)
                await parties.EscalateDisputeAsync(c.ClientToken, m, CancellationToken.None);
        });
        return (c, m);
    }

    /// <summary>An open dispute with an open proposal of the freelancer's, for the client to answer.</summary>
    public async Task<(SweepContract Contract, Guid MilestoneId, Guid ProposalId)> ProposalAsync()
    {
        var (c, m) = await DisputedMilestoneAsync(escalate: false);
        await WithAsync(sp => sp.GetRequiredService<PartyActions>().ProposeSplitAsync(c.FreelancerToken, m, MilestoneAmount / 2, "Half each", CancellationToken.None));
        var proposal = (await ContractAsync(c.Id)).ActiveDispute(m)!.OpenProposal!;
        return (c, m, proposal.Id);
    }

    public Task SubmitAsync(SweepContract c, Guid m) => WithAsync(sp =>
        sp.GetRequiredService<PartyActions>().SubmitDeliverableAsync(c.FreelancerToken, m, "Delivered.", ["https://example.test/delivery"], [], CancellationToken.None));

    public Task RequestChangesAsync(SweepContract c, Guid m) => WithAsync(sp =>
        sp.GetRequiredService<PartyActions>().RequestChangesAsync(c.ClientToken, m, "Please change the header.", CancellationToken.None));

    /// <summary>A release pull payment, claimable in the sandbox (milestones approved, the worker made their pull payments).</summary>
    public async Task<(SweepContract Contract, string PullPaymentId)> PullPaymentAsync()
    {
        if (_pullPayments.Count == 0)
        {
            var c = await NewContractAsync(12);
            await FundAsync(c, c.MilestoneIds);
            foreach (var m in c.MilestoneIds)
            {
                await WithAsync(sp => sp.GetRequiredService<PartyActions>().SubmitDeliverableAsync(c.FreelancerToken, m, "Delivered.", [], [], CancellationToken.None));
                await WithAsync(sp => sp.GetRequiredService<PartyActions>().ApproveAsync(c.ClientToken, m, CancellationToken.None));
            }
            var contract = await SettledAsync(c.Id);
            foreach (var p in contract.Payouts.Where(p => p.PullPaymentId is not null))
                _pullPayments.Enqueue((c, p.PullPaymentId!));
        }
        return _pullPayments.Dequeue();
    }

    /// <summary>Waits until the worker has made every queued payout of the contract claimable, so nothing changes it behind a snapshot.</summary>
    public async Task<Contract> SettledAsync(Guid contractId)
    {
        return await Eventually.UntilAsync(() => ContractAsync(contractId), c => c.Payouts.All(p => p.Status != PayoutStatus.Queued),
            "the worker making the payouts claimable");
    }

    public async Task<string> SettingsSnapshotAsync() =>
        JsonSerializer.Serialize(await Services.GetRequiredService<IStoreSettingsStore>().GetAsync(StoreId, CancellationToken.None));

    public async Task<string> SandboxSnapshotAsync(Guid contractId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SandboxDbContext>>().CreateDbContextAsync();
        var invoices = await db.Invoices.Include(i => i.Payments).Where(i => i.ContractId == contractId).OrderBy(i => i.Id).ToListAsync();
        var pullPayments = await db.PullPayments.Where(p => p.ContractId == contractId).OrderBy(p => p.Id).ToListAsync();
        return string.Join("|", invoices.Select(i => $"{i.Id}:{i.Status}:{i.Payments.Count}:{i.Paid}"))
               + "||" + string.Join("|", pullPayments.Select(p => $"{p.Id}:{p.Status}:{p.Destination}"));
    }

    public async Task<string?> DestinationAsync(string pullPaymentId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SandboxDbContext>>().CreateDbContextAsync();
        return (await db.PullPayments.SingleAsync(p => p.Id == pullPaymentId)).Destination;
    }

    /// <summary>The latest review entry of a milestone, and its dispute's latest message and proposal.</summary>
    public static ReviewEntry? LastEntry(Contract c, Guid m) => c.Milestone(m).ReviewEntries.LastOrDefault();

    public static Dispute? LastDispute(Contract c, Guid m) => c.Disputes.LastOrDefault(d => d.MilestoneId == m);

    public static MilestoneState State(Contract c, Guid m) => c.Milestone(m).State;
}
