using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// A contract is loaded and saved whole. Loading includes every child list, one query per list (split query, so a
/// contract with many rows in several lists does not multiply into a cartesian product), each in its stored order.
/// </summary>
internal static class ContractGraph
{
    public static IQueryable<Contract> Whole(IQueryable<Contract> contracts) => contracts
        .AsSplitQuery()
        .Include(c => c.Milestones.OrderBy(m => EF.Property<int>(m, ValueMapping.Position)))
            .ThenInclude(m => m.ReviewEntries.OrderBy(e => EF.Property<int>(e, ValueMapping.Position)))
        .Include(c => c.TermsVersions.OrderBy(v => EF.Property<int>(v, ValueMapping.Position)))
        .Include(c => c.Invoices.OrderBy(i => EF.Property<int>(i, ValueMapping.Position)))
        .Include(c => c.Payments.OrderBy(p => EF.Property<int>(p, ValueMapping.Position)))
        .Include(c => c.Allocations.OrderBy(a => EF.Property<int>(a, ValueMapping.Position)))
        .Include(c => c.Payouts.OrderBy(p => EF.Property<int>(p, ValueMapping.Position)))
        .Include(c => c.Disputes.OrderBy(d => EF.Property<int>(d, ValueMapping.Position)))
            .ThenInclude(d => d.Messages.OrderBy(m => EF.Property<int>(m, ValueMapping.Position)))
        .Include(c => c.Disputes) // same list as above; EF allows its order to be given once
            .ThenInclude(d => d.Proposals.OrderBy(p => EF.Property<int>(p, ValueMapping.Position)))
        .Include(c => c.ProcessedEvents.OrderBy(e => EF.Property<int>(e, ValueMapping.Position)))
        .Include(c => c.PartyAccess.OrderBy(a => EF.Property<int>(a, ValueMapping.Position)));

    /// <summary>
    /// Writes each child's index in its list into its Position column, so the next load sees the lists as they are now.
    /// Only rows whose index changed are touched (new rows, or rows after a removed milestone). New children are only
    /// discovered through the lists: detect changes before, so each has a tracked entry.
    /// </summary>
    public static void StorePositions(DbContext db, Contract contract)
    {
        Number(db, contract.Milestones);
        foreach (var milestone in contract.Milestones)
            Number(db, milestone.ReviewEntries);
        Number(db, contract.TermsVersions);
        Number(db, contract.Invoices);
        Number(db, contract.Payments);
        Number(db, contract.Allocations);
        Number(db, contract.Payouts);
        Number(db, contract.Disputes);
        foreach (var dispute in contract.Disputes)
        {
            Number(db, dispute.Messages);
            Number(db, dispute.Proposals);
        }
        Number(db, contract.ProcessedEvents);
        Number(db, contract.PartyAccess);
    }

    private static void Number<T>(DbContext db, IReadOnlyList<T> items) where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            var position = db.Entry(items[i]).Property<int>(ValueMapping.Position);
            if (position.CurrentValue != i)
                position.CurrentValue = i;
        }
    }
}
