using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

public sealed class EfEmailOutbox(Func<EscrowDbContext> createContext) : IEmailOutbox
{
    public async Task AddAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        db.OutgoingEmails.Add(email);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutgoingEmail>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.OutgoingEmails.AsNoTracking()
            .Where(e => e.NextAttemptAt != null && e.NextAttemptAt <= now)
            .OrderBy(e => e.NextAttemptAt)
            .Take(max)
            .ToListAsync(cancellationToken);
    }

    public async Task UpdateAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        db.OutgoingEmails.Update(email);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutgoingEmail>> RecentAsync(string storeId, int count, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.OutgoingEmails.AsNoTracking()
            .Where(e => e.StoreId == storeId)
            .OrderByDescending(e => e.CreatedAt)
            .Take(count)
            .ToListAsync(cancellationToken);
    }
}
