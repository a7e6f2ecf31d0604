using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>One row per scope (an agency key; before, a store): the next non-custodial milestone index it hands out. The column keeps its old name.</summary>
public sealed class EscrowIndexCounterRow
{
    public string StoreId { get; set; } = "";
    public long Next { get; set; }
}

/// <summary>
/// Reserves indexes by compare-and-swap on the scope's row (an update that succeeds only if <c>Next</c> is still what was
/// read), so two writers never get the same index, on PostgreSQL and SQLite alike, without a lock held across the act.
/// </summary>
public sealed class EfEscrowIndexCounter(Func<EscrowDbContext> createContext) : IEscrowIndexCounter
{
    /// <summary>Indexes are non-hardened BIP-32 steps.</summary>
    public const long Limit = 0x80000000L;

    public async Task<uint> ReserveAsync(string scope, int count, CancellationToken cancellationToken, string? continueFrom = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var db = createContext();
            var row = await db.EscrowIndexCounters.AsNoTracking().FirstOrDefaultAsync(r => r.StoreId == scope, cancellationToken);
            if (row is null)
            {
                var start = continueFrom is null ? 0
                    : await db.EscrowIndexCounters.AsNoTracking().Where(r => r.StoreId == continueFrom).Select(r => (long?)r.Next).FirstOrDefaultAsync(cancellationToken) ?? 0;
                if (start + count > Limit)
                    throw new InvalidOperationException("Every non-custodial escrow index of this agency key is used; the agency needs a new key.");
                db.EscrowIndexCounters.Add(new EscrowIndexCounterRow { StoreId = scope, Next = start + count });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return (uint)start;
                }
                catch (DbUpdateException)
                {
                    continue; // another writer created the row first: take from it
                }
            }
            var first = row.Next;
            if (first + count > Limit)
                throw new InvalidOperationException("Every non-custodial escrow index of this agency key is used; the agency needs a new key.");
            var taken = await db.EscrowIndexCounters
                .Where(r => r.StoreId == scope && r.Next == first)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Next, first + count), cancellationToken);
            if (taken == 1)
                return (uint)first;
        }
        throw new Core.ConcurrencyConflictException(Guid.Empty);
    }
}
