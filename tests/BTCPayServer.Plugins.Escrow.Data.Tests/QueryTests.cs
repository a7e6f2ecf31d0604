using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The staff list and dispute queue read models. Each test uses a store of its own, so counts are exact.</summary>
public abstract class QueryTests(StoreDatabase database)
{
    private EfContractQueries Queries => new(database.NewContext);

    [Fact]
    public async Task The_list_shows_each_contracts_figures_as_of_its_last_save()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        var lifecycle = new Lifecycle(clock);
        var contract = Build.Draft(clock, store);
        lifecycle.RunAll(contract);
        await database.AddAsync(contract);

        var row = Assert.Single((await Queries.ListContractsAsync(new ContractListQuery(store), CancellationToken.None)).Rows);

        var ledger = contract.Ledger;
        Assert.Equal((contract.Id, contract.Title, "Carol Client", "Fred Freelancer", ContractState.Active), (row.Id, row.Title, row.ClientName, row.FreelancerName, row.State));
        Assert.Equal((contract.CreatedAt, contract.UpdatedAt), (row.CreatedAt, row.UpdatedAt));
        Assert.Equal(contract.CurrentTerms().Total, row.Total);
        Assert.Equal((ledger.Funded, ledger.ReleasedToFreelancer, ledger.RefundedToClient), (row.Funded, row.Released, row.Refunded));
        Assert.Equal(contract.Milestones[2].Amount, row.Outstanding);
        Assert.Equal(0, row.OpenDisputes);
        Assert.Equal("USD", row.Funded.Currency);
    }

    [Fact]
    public async Task The_list_filters_by_store_state_and_search_and_pages_most_recent_first()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        var names = new[] { ("Logo design", "Alice Ng"), ("Mobile app", "Bob Stone"), ("Logo refresh", "Carol Client"), ("Backend", "Dana Logo") };
        var ids = new List<Guid>();
        foreach (var (title, client) in names)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            var contract = Build.Draft(clock, store, Build.Terms(title: title, clientName: client));
            await database.AddAsync(contract);
            ids.Add(contract.Id);
        }
        clock.Advance(TimeSpan.FromMinutes(1));
        await database.ActAsync(ids[1], c => c.Propose(Build.Agency, clock.GetUtcNow()));
        await database.AddAsync(Build.Draft(clock, Build.Unique("other-store")));

        var all = await Queries.ListContractsAsync(new ContractListQuery(store), CancellationToken.None);
        Assert.Equal([ids[1], ids[3], ids[2], ids[0]], all.Rows.Select(r => r.Id));
        Assert.Equal(4, all.TotalCount);

        var logo = await Queries.ListContractsAsync(new ContractListQuery(store, Search: "LOGO"), CancellationToken.None);
        Assert.Equal([ids[3], ids[2], ids[0]], logo.Rows.Select(r => r.Id));
        var proposed = await Queries.ListContractsAsync(new ContractListQuery(store, State: ContractState.Proposed), CancellationToken.None);
        Assert.Equal([ids[1]], proposed.Rows.Select(r => r.Id));

        var second = await Queries.ListContractsAsync(new ContractListQuery(store, Page: 2, PageSize: 3), CancellationToken.None);
        Assert.Equal([ids[0]], second.Rows.Select(r => r.Id));
        Assert.Equal((4, 2, 2), (second.TotalCount, second.Page, second.PageCount));
        var beyond = await Queries.ListContractsAsync(new ContractListQuery(store, Page: 9, PageSize: 3), CancellationToken.None);
        Assert.Equal(2, beyond.Page);
    }

    [Fact]
    public async Task A_search_with_a_NUL_character_matches_nothing_on_every_database()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        await database.AddAsync(Build.Draft(clock, store, Build.Terms(title: "Logo design")));

        // PostgreSQL's text cannot hold NUL and used to fail the whole query (a 500 for a typed search).
        var nul = await Queries.ListContractsAsync(new ContractListQuery(store, Search: "lo\0go"), CancellationToken.None);

        Assert.Empty(nul.Rows);
        Assert.Equal(0, nul.TotalCount);
        // Other control characters are text to both databases: no match, no failure; the plain search still finds it.
        Assert.Empty((await Queries.ListContractsAsync(new ContractListQuery(store, Search: "\u0007logo"), CancellationToken.None)).Rows);
        Assert.Single((await Queries.ListContractsAsync(new ContractListQuery(store, Search: "logo"), CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task Totals_add_up_every_matching_contract_per_currency_not_only_the_page()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        var usd = new[] { Build.Funded(clock, store), Build.Funded(clock, store) };
        var btc = Build.Draft(clock, store, Build.Terms(2, "BTC", i => 0.01m * i));
        foreach (var contract in usd.Append(btc))
            await database.AddAsync(contract);

        var page = await Queries.ListContractsAsync(new ContractListQuery(store, PageSize: 1), CancellationToken.None);

        Assert.Single(page.Rows);
        Assert.Equal(["BTC", "USD"], page.Totals.Select(t => t.Currency));
        var dollars = page.Totals[1];
        Assert.Equal(usd[0].Ledger.Funded + usd[1].Ledger.Funded, dollars.Funded);
        Assert.Equal(Money.Of(2 * (200.25m + 300.25m), "USD"), dollars.Outstanding);
        Assert.Equal((Money.Zero("BTC"), Money.Of(0.03m, "BTC")), (page.Totals[0].Funded, page.Totals[0].Outstanding));
    }

    [Fact]
    public async Task The_dispute_queue_lists_a_stores_active_disputes_escalated_first_then_oldest_first()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        var contract = Build.Draft(clock, store);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1, 2, 3);
        contract.ApplyPaymentEvent(Build.Settled(invoice, clock, Build.Unique("evt"), Build.Unique("pay")), clock.GetUtcNow());
        foreach (var number in new[] { 1, 2, 3 })
        {
            clock.Advance(TimeSpan.FromHours(1));
            contract.OpenDispute(Lifecycle.M(contract, number), PartyRole.Client, $"Problem {number}", clock.GetUtcNow());
        }
        contract.EscalateDispute(Lifecycle.M(contract, 3), Build.Agency, clock.GetUtcNow());
        contract.ProposeSplit(Lifecycle.M(contract, 2), PartyRole.Freelancer, 10m, null, clock.GetUtcNow());
        contract.AnswerSplit(Lifecycle.M(contract, 2), contract.ActiveDispute(Lifecycle.M(contract, 2))!.OpenProposal!.Id, PartyRole.Client, true, clock.GetUtcNow());
        await database.AddAsync(contract);

        var queue = await Queries.ListActiveDisputesAsync(store, CancellationToken.None);

        Assert.Equal([3, 1], queue.Select(d => d.MilestoneNumber));
        Assert.Equal([DisputeStatus.Escalated, DisputeStatus.Open], queue.Select(d => d.Status));
        var first = queue[0];
        Assert.Equal((contract.Id, contract.Title, "Milestone 3", contract.Milestones[2].Amount, PartyRole.Client, "Problem 3"),
            (first.ContractId, first.ContractTitle, first.MilestoneTitle, first.Amount, first.OpenedBy, first.Reason));
        Assert.Empty(await Queries.ListActiveDisputesAsync(Build.Unique("store"), CancellationToken.None));
        var row = Assert.Single((await Queries.ListContractsAsync(new ContractListQuery(store), CancellationToken.None)).Rows);
        Assert.Equal(2, row.OpenDisputes);
    }

    [Fact]
    public async Task A_store_statement_reads_the_periods_money_entries_of_its_own_contracts_whole()
    {
        var store = Build.Unique("store");
        var clock = Build.Clock();
        var mine = Build.Draft(clock, store);
        new Lifecycle(clock).RunAll(mine);
        await database.AddAsync(mine);
        var theirs = Build.Draft(clock, Build.Unique("other-store"));
        new Lifecycle(clock).RunAll(theirs);
        await database.AddAsync(theirs);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var period = new StatementPeriod(DateOnly.FromDateTime(mine.CreatedAt.UtcDateTime).AddDays(-1), today.AddDays(1));

        var source = Assert.Single(await Queries.ReadStatementSourcesAsync(store, period, CancellationToken.None));

        Assert.Equal(mine.Id, source.Contract.Id);
        Assert.Equal(mine.Payments.Count, source.Contract.Payments.Count);
        Assert.Equal(mine.Payouts.Select(p => p.PullPaymentId), source.Contract.Payouts.Select(p => p.PullPaymentId));
        Assert.NotEmpty(source.Entries);
        Assert.All(source.Entries, e => Assert.Contains(e.Type, StatementBuilder.EntryTypes));
        var totals = Assert.Single(Statement.Of([source], period).Totals);
        Assert.Equal((mine.Ledger.Received, mine.Ledger.ReleasedToFreelancer, mine.Ledger.FeesRetained, mine.Ledger.RefundedToClient),
            (totals.Received, totals.Released, totals.Fees, totals.Refunded));
        Assert.Empty(await Queries.ReadStatementSourcesAsync(store, new StatementPeriod(period.From.AddYears(-1), period.From.AddDays(-1)), CancellationToken.None));
    }
}
