using BTCPayServer.Plugins.Escrow.Core.Api;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

public sealed class EfIdempotencyStore(Func<EscrowDbContext> createContext) : IIdempotencyStore
{
    public async Task<IdempotencyRecord?> ClaimAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        await using (var db = createContext())
        {
            db.IdempotencyKeys.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateException e) when (SaveErrors.IsUniqueViolation(e.InnerException, db))
            {
                // The key is taken: the earlier request's record answers.
            }
        }
        await using var read = createContext();
        return await read.IdempotencyKeys.AsNoTracking()
            .FirstAsync(r => r.StoreId == record.StoreId && r.ClientId == record.ClientId && r.Key == record.Key, cancellationToken);
    }

    public async Task CompleteAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        db.IdempotencyKeys.Update(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        await db.IdempotencyKeys
            .Where(r => r.StoreId == record.StoreId && r.ClientId == record.ClientId && r.Key == record.Key && r.StatusCode == null)
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> PruneAsync(DateTimeOffset answeredBefore, DateTimeOffset unansweredBefore, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.IdempotencyKeys
            .Where(r => r.StatusCode != null ? r.CreatedAt < answeredBefore : r.CreatedAt < unansweredBefore)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
