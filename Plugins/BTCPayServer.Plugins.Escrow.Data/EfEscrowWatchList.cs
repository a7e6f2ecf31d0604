using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>Non-custodial contracts the chain watcher polls: active ones, and closed ones for a while (their last spends confirm after closing).</summary>
public sealed class EfEscrowWatchList(Func<EscrowDbContext> createContext, TimeProvider clock) : IEscrowWatchList
{
    public static readonly TimeSpan AfterClosing = TimeSpan.FromDays(30);

    public async Task<IReadOnlyList<Guid>> ListOpenNonCustodialContractsAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow() - AfterClosing;
        await using var db = createContext();
        return await db.Contracts.AsNoTracking()
            .Where(c => c.Custody == CustodyMode.NonCustodial && c.AuditProblem == null
                        && (c.State == ContractState.Active || (c.ClosedAt != null && c.ClosedAt >= since)))
            .OrderBy(c => c.Id)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
    }
}
