using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// The staff pages' flat read models. Each answer costs a fixed number of queries over rows, never a load of whole
/// contracts: the list reads the summary columns every save keeps on the contract row.
/// </summary>
public sealed class EfContractQueries(Func<EscrowDbContext> createContext) : IContractQueries
{
    public async Task<ContractListPage> ListContractsAsync(ContractListQuery query, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var contracts = db.Contracts.AsNoTracking().Where(c => c.StoreId == query.StoreId);
        if (query.State is { } state)
            contracts = contracts.Where(c => c.State == state);
        if (query.Search?.Trim().ToLowerInvariant() is { Length: > 0 } search)
        {
            // Stored text never holds NUL (PostgreSQL's text cannot, and would fail the whole query on it): nothing matches.
            if (search.Contains('\0'))
                contracts = contracts.Where(c => false);
            else
                // Lower-casing both sides is portable; SQLite's lower() folds ASCII letters only.
                contracts = contracts.Where(c => c.Title.ToLower().Contains(search)
                    || c.Client.Name.ToLower().Contains(search) || c.Freelancer.Name.ToLower().Contains(search));
        }

        var size = Math.Clamp(query.PageSize, 1, ContractListQuery.MaxPageSize);
        var count = await contracts.CountAsync(cancellationToken);
        // A page past the end (e.g. after a filter) shows the last page rather than nothing.
        var page = Math.Clamp(query.Page, 1, Math.Max(1, (count + size - 1) / size));

        var rows = await contracts
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id)
            .Skip((page - 1) * size).Take(size)
            .Select(c => new
            {
                c.Id, c.Title, ClientName = c.Client.Name, FreelancerName = c.Freelancer.Name, c.State, c.CreatedAt, c.UpdatedAt, c.Currency,
                Total = EF.Property<decimal>(c, ContractSummary.Total),
                Funded = EF.Property<decimal>(c, ContractSummary.Funded),
                Released = EF.Property<decimal>(c, ContractSummary.Released),
                Refunded = EF.Property<decimal>(c, ContractSummary.Refunded),
                Outstanding = EF.Property<decimal>(c, ContractSummary.Outstanding),
                OpenDisputes = EF.Property<int>(c, ContractSummary.OpenDisputes),
                c.AuditProblem,
                c.Custody,
            })
            .ToListAsync(cancellationToken);

        // A closed non-custodial contract is paid out only once its escrow transactions confirm: for those rows of the
        // page (never more than a page), one more statement reads their escrow state.
        var closedOnChain = rows.Where(r => r.Custody == CustodyMode.NonCustodial && r.State is ContractState.Completed or ContractState.Cancelled)
            .Select(r => r.Id).ToList();
        var payingOut = closedOnChain.Count == 0
            ? []
            : (await db.Contracts.AsNoTracking().Where(c => closedOnChain.Contains(c.Id)).Select(c => new { c.Id, c.NonCustodial }).ToListAsync(cancellationToken))
                .ToDictionary(c => c.Id, c => c.NonCustodial.UnconfirmedPayoutStatus());

        var totals = await contracts
            .GroupBy(c => c.Currency)
            .Select(g => new
            {
                Currency = g.Key,
                Funded = g.Sum(c => EF.Property<decimal>(c, ContractSummary.Funded)),
                Released = g.Sum(c => EF.Property<decimal>(c, ContractSummary.Released)),
                Refunded = g.Sum(c => EF.Property<decimal>(c, ContractSummary.Refunded)),
                Outstanding = g.Sum(c => EF.Property<decimal>(c, ContractSummary.Outstanding)),
            })
            .OrderBy(t => t.Currency)
            .ToListAsync(cancellationToken);

        return new ContractListPage(
            rows.Select(r => new ContractListRow(r.Id, r.Title, r.ClientName, r.FreelancerName, r.State, r.CreatedAt, r.UpdatedAt,
                Stored(r.Total, r.Currency), Stored(r.Funded, r.Currency), Stored(r.Released, r.Currency), Stored(r.Refunded, r.Currency),
                Stored(r.Outstanding, r.Currency), r.OpenDisputes, r.AuditProblem, payingOut.GetValueOrDefault(r.Id))).ToList(),
            count, page, size,
            totals.Select(t => new CurrencyTotals(t.Currency, Stored(t.Funded, t.Currency), Stored(t.Released, t.Currency),
                Stored(t.Refunded, t.Currency), Stored(t.Outstanding, t.Currency))).ToList());
    }

    public async Task<IReadOnlyList<DisputeQueueRow>> ListActiveDisputesAsync(string storeId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        // Contracts with an open dispute come from the partial index on the summary column; their disputes and
        // milestones come with the row (JSON columns), so this is one statement whatever the number of disputes.
        var contracts = await db.Contracts.AsNoTracking()
            .Where(c => c.StoreId == storeId && EF.Property<int>(c, ContractSummary.OpenDisputes) > 0)
            .ToListAsync(cancellationToken);
        return (
                from c in contracts
                from d in c.Disputes
                where d.Status is DisputeStatus.Open or DisputeStatus.Escalated
                from m in c.Milestones
                where m.Id == d.MilestoneId
                orderby d.Status == DisputeStatus.Escalated ? 0 : 1, d.OpenedAt, d.Id
                select new DisputeQueueRow(c.Id, c.Title, d.MilestoneId, m.Number, m.Title, m.Amount, d.OpenedBy, d.Reason, d.Status,
                    d.OpenedAt, d.ResponseDeadline))
            .ToList();
    }

    public async Task<IReadOnlyList<PartyContractRef>> FindContractsOfPartyAsync(string storeId, string email, CancellationToken cancellationToken)
    {
        var address = email.Trim().ToLowerInvariant();
        if (address.Length == 0)
            return [];
        await using var db = createContext();
        var rows = await db.Contracts.AsNoTracking()
            .Where(c => c.StoreId == storeId
                && (c.State == ContractState.Proposed || c.State == ContractState.Active || c.State == ContractState.Completed)
                && (c.Client.Email.ToLower() == address || c.Freelancer.Email.ToLower() == address))
            .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id)
            .Take(IContractQueries.MaxPartyContracts)
            .Select(c => new { c.Id, Client = c.Client.Email, Freelancer = c.Freelancer.Email })
            .ToListAsync(cancellationToken);
        var found = new List<PartyContractRef>();
        foreach (var row in rows)
        {
            if (string.Equals(row.Client.Trim(), address, StringComparison.OrdinalIgnoreCase))
                found.Add(new PartyContractRef(row.Id, PartyRole.Client));
            if (string.Equals(row.Freelancer.Trim(), address, StringComparison.OrdinalIgnoreCase))
                found.Add(new PartyContractRef(row.Id, PartyRole.Freelancer));
        }
        return found;
    }

    public async Task<IReadOnlyList<StatementSource>> ReadStatementSourcesAsync(string storeId, StatementPeriod period, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var (start, end) = (period.Start, period.End);
        var types = StatementBuilder.EntryTypes.ToList();
        // The period's money entries of the store first (one statement), then their contracts whole in one split load.
        var entries = await (
                from e in db.AuditEntries.AsNoTracking()
                join c in db.Contracts on e.ContractId equals c.Id
                where c.StoreId == storeId && e.At >= start && e.At < end && types.Contains(e.Type)
                orderby e.ContractId, e.Sequence
                select e)
            .ToListAsync(cancellationToken);
        if (entries.Count == 0)
            return [];
        var ids = entries.Select(e => e.ContractId).Distinct().ToList();
        var contracts = await ContractGraph.Whole(db.Contracts.AsNoTracking().Where(c => c.StoreId == storeId && ids.Contains(c.Id))).ToListAsync(cancellationToken);
        var byContract = entries.ToLookup(e => e.ContractId);
        return contracts.Select(c => new StatementSource(c, byContract[c.Id].ToList())).ToList();
    }

    /// <summary>Stored amounts were valid when written; rebuild them as they are, without validating them again.</summary>
    private static Money Stored(decimal amount, string currency) => new(amount, currency);
}
