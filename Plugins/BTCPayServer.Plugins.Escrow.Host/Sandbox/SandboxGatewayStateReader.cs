using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The sandbox's current state of invoices and pull payments, for the start-up reconciliation: what the sandbox
/// recorded but never told the escrow (the host stopped in between) is fed again through the idempotent inbound path.
/// </summary>
public sealed class SandboxGatewayStateReader(IDbContextFactory<SandboxDbContext> db) : IGatewayStateReader
{
    public async Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var invoice = await ctx.Invoices.AsNoTracking().Include(i => i.Payments).FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        return invoice is null ? null : ToState(invoice);
    }

    public async Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var pullPayment = await ctx.PullPayments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pullPaymentId, cancellationToken);
        // A sandbox claim completes its one payout at once; an open or archived pull payment has none.
        return pullPayment is { Status: SandboxPullPaymentStatus.Completed }
            ? [new GatewayPayoutStatus(SandboxPaymentGateway.PayoutIdOf(pullPayment.Id), GatewayPayoutState.Completed)]
            : [];
    }

    /// <summary>Reconciliation's batches: one query for up to 100 invoices with their payments.</summary>
    public async Task<IReadOnlyList<GatewayInvoiceState>> GetInvoicesAsync(IReadOnlyList<string> invoiceIds, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var invoices = await ctx.Invoices.AsNoTracking().Include(i => i.Payments).AsSplitQuery()
            .Where(i => invoiceIds.Contains(i.Id)).ToListAsync(cancellationToken);
        return [.. invoices.Select(ToState)];
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<GatewayPayoutStatus>>> GetPayoutsAsync(IReadOnlyList<string> pullPaymentIds, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var completed = await ctx.PullPayments.AsNoTracking()
            .Where(p => pullPaymentIds.Contains(p.Id) && p.Status == SandboxPullPaymentStatus.Completed)
            .Select(p => p.Id).ToListAsync(cancellationToken);
        return completed.ToDictionary(id => id, id => (IReadOnlyList<GatewayPayoutStatus>)[new GatewayPayoutStatus(SandboxPaymentGateway.PayoutIdOf(id), GatewayPayoutState.Completed)]);
    }

    public static GatewayInvoiceState ToState(SandboxInvoice invoice)
    {
        var status = invoice.Status switch
        {
            SandboxInvoiceStatus.Settled => GatewayInvoiceStatus.Settled,
            SandboxInvoiceStatus.Expired => GatewayInvoiceStatus.Expired,
            SandboxInvoiceStatus.Invalid => GatewayInvoiceStatus.Invalid,
            _ => GatewayInvoiceStatus.New,
        };
        var paid = invoice.Paid;
        var exception = invoice.Payments.Any(p => p.AfterExpiry) ? GatewayInvoiceExceptionStatus.PaidLate
            : paid > invoice.Amount ? GatewayInvoiceExceptionStatus.PaidOver
            : paid > 0 && paid < invoice.Amount ? GatewayInvoiceExceptionStatus.PaidPartial
            : GatewayInvoiceExceptionStatus.None;
        return new GatewayInvoiceState(invoice.Id, status, exception, SandboxCashier.GatewayPayments(invoice));
    }
}
