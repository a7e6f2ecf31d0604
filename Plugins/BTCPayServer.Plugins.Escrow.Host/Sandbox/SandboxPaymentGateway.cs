using System.Security.Cryptography;
using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>Payment gateway of the sandbox: invoices and pull payments that exist only in sandbox.db.</summary>
public sealed class SandboxPaymentGateway(IDbContextFactory<SandboxDbContext> db, SandboxLinks links, TimeProvider clock) : IPaymentGateway
{
    public async Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var invoice = new SandboxInvoice
        {
            Id = NewId("inv"),
            StoreId = request.StoreId,
            ContractId = request.ContractId,
            Amount = request.Amount.Amount,
            Currency = request.Amount.Currency,
            Description = request.Description,
            RedirectUrl = request.RedirectUrl,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        ctx.Invoices.Add(invoice);
        await ctx.SaveChangesAsync(cancellationToken);
        return new CreatedInvoice(invoice.Id, links.Checkout(invoice.Id));
    }

    public async Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        // The reference is the payout instruction's key: asked again (a retry after a crash), return the same one.
        var existing = await ctx.PullPayments.FirstOrDefaultAsync(p => p.Reference == request.Reference, cancellationToken);
        if (existing is not null)
            return new CreatedPullPayment(existing.Id, links.Claim(existing.Id));
        var pullPayment = new SandboxPullPayment
        {
            Id = NewId("pp"),
            Reference = request.Reference,
            StoreId = request.StoreId,
            ContractId = request.ContractId,
            Amount = request.Amount.Amount,
            Currency = request.Amount.Currency,
            Recipient = request.Recipient.ToString(),
            Description = request.Description,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        ctx.PullPayments.Add(pullPayment);
        await ctx.SaveChangesAsync(cancellationToken);
        CrashPoints.Reach(SandboxCrashPoints.PullPaymentCreated);
        return new CreatedPullPayment(pullPayment.Id, links.Claim(pullPayment.Id));
    }

    public async Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken)
    {
        await using var ctx = await db.CreateDbContextAsync(cancellationToken);
        var pullPayment = await ctx.PullPayments.FirstOrDefaultAsync(p => p.Id == pullPaymentId && p.StoreId == storeId, cancellationToken);
        if (pullPayment is { Status: SandboxPullPaymentStatus.Open })
        {
            pullPayment.Status = SandboxPullPaymentStatus.Archived;
            await ctx.SaveChangesAsync(cancellationToken);
        }
    }

    internal static string NewId(string prefix) => $"sbx_{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";

    /// <summary>A sandbox pull payment is claimed once, in one payout; its id follows from the pull payment's (sbx_pp_x → sbx_po_x).</summary>
    internal static string PayoutIdOf(string pullPaymentId) =>
        pullPaymentId.StartsWith("sbx_pp_", StringComparison.Ordinal) ? "sbx_po_" + pullPaymentId["sbx_pp_".Length..] : pullPaymentId + ":payout";
}

/// <summary>
/// Absolute links to the sandbox's checkout and claim pages, on the configured public address: they are stored on the
/// contract and handed to parties, so a request's Host header never goes into them.
/// </summary>
public sealed class SandboxLinks(IPublicAddress address)
{
    public string Checkout(string invoiceId) => $"{address.BaseUrl()}/sandbox/checkout/{Uri.EscapeDataString(invoiceId)}";
    public string Claim(string pullPaymentId) => $"{address.BaseUrl()}/sandbox/claim/{Uri.EscapeDataString(pullPaymentId)}";
}
