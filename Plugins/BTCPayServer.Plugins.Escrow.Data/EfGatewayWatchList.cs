using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>What the escrow still waits to hear about from the gateway, for reconciliation at start-up.</summary>
public sealed class EfGatewayWatchList(Func<EscrowDbContext> createContext, TimeProvider clock) : IGatewayWatchList
{
    /// <summary>Expired invoices can still be paid late; after this long they are no longer asked about at each start.</summary>
    public static readonly TimeSpan LatePaymentWatch = TimeSpan.FromDays(30);

    public async Task<IReadOnlyList<string>> ListWatchedInvoicesAsync(CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var since = clock.GetUtcNow() - LatePaymentWatch;
        // A non-custodial milestone's "invoice" is its escrow address (chain:<address>): the chain watcher reads it from
        // the chain; the payment gateway has never heard of it.
        return await db.FundingInvoices.AsNoTracking()
            .Where(i => i.Status == InvoiceStatus.New || (i.Status == InvoiceStatus.Expired && i.CreatedAt >= since))
            .Where(i => !i.InvoiceId.StartsWith(Core.Contracts.Contract.ChainInvoicePrefix))
            .OrderBy(i => i.InvoiceId)
            .Select(i => i.InvoiceId)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListWatchedPullPaymentsAsync(CancellationToken cancellationToken)
    {
        await using var db = createContext();
        return await db.PayoutInstructions.AsNoTracking()
            .Where(p => p.Status == PayoutStatus.Claimable && p.PullPaymentId != null)
            .OrderBy(p => p.PullPaymentId)
            .Select(p => p.PullPaymentId!)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> FindAppliedEventsAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        if (eventIds.Count == 0)
            return new HashSet<string>();
        await using var db = createContext();
        var ids = eventIds.Distinct().ToList();
        var applied = await db.ProcessedEvents.AsNoTracking()
            .Where(e => ids.Contains(e.EventId))
            .Select(e => e.EventId)
            .ToListAsync(cancellationToken);
        return applied.ToHashSet(StringComparer.Ordinal);
    }
}
