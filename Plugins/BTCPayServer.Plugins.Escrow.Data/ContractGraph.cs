using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// A contract is loaded and saved whole. Its small lists are JSON columns of its row (see <see cref="ContractJson"/>);
/// the two child tables (funding invoices, payout instructions) are one query each (split query), in stored order:
/// three statements per load, however many lists the aggregate has.
/// </summary>
internal static class ContractGraph
{
    public static IQueryable<Contract> Whole(IQueryable<Contract> contracts) => contracts
        .AsSplitQuery()
        .Include(c => c.Invoices.OrderBy(i => EF.Property<int>(i, ValueMapping.Position)))
        .Include(c => c.Payouts.OrderBy(p => EF.Property<int>(p, ValueMapping.Position)));

    /// <summary>
    /// Writes each child row's index in its list into its Position column, so the next load sees the lists as they are
    /// now. Only rows whose index changed are touched. New children are only discovered through the lists: detect
    /// changes before, so each has a tracked entry.
    /// </summary>
    public static void StorePositions(DbContext db, Contract contract)
    {
        Number(db, contract.Invoices);
        Number(db, contract.Payouts);
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
