using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Host.Workers;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// What BTCPay's regtest "cheat mode" does, for the sandbox: pay an invoice (all, part, more), let it expire, pay after
/// expiry, mark it invalid, complete a payout. Every happening goes through the same inbound-event path BTCPay's will,
/// with the event ids of <see cref="GatewayEventMapping"/>, so an event sent live and the same fact read back by the
/// start-up reconciliation (<see cref="SandboxGatewayStateReader"/>) are applied once.
/// </summary>
public sealed class SandboxCashier(
    IDbContextFactory<SandboxDbContext> db, PaymentEventHandler events, MissedGatewayEvents missed, TimeProvider clock, ILogger<SandboxCashier> logger)
{
    public async Task<SandboxInvoice?> FindInvoiceAsync(string invoiceId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.Invoices.Include(i => i.Payments).FirstOrDefaultAsync(i => i.Id == invoiceId, ct);
    }

    public async Task<SandboxPullPayment?> FindPullPaymentAsync(string pullPaymentId, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.PullPayments.FirstOrDefaultAsync(p => p.Id == pullPaymentId, ct);
    }

    /// <summary>Pays <paramref name="amount"/> (contract currency) into an invoice, by "lightning" or "on-chain".</summary>
    public async Task PayAsync(string invoiceId, decimal amount, string method, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var invoice = await ctx.Invoices.Include(i => i.Payments).FirstOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("That invoice");
        if (invoice.Status == SandboxInvoiceStatus.Invalid)
            throw new EscrowException("sandbox.invalid", "This invoice was marked invalid; it takes no more payments.");
        var credited = Money.Of(amount, invoice.Currency, "amount");
        if (!credited.IsPositive)
            throw new InvalidInputException("amount", "Pay an amount above zero.");
        var now = clock.GetUtcNow();
        var payment = new SandboxPayment
        {
            Id = SandboxPaymentGateway.NewId("pay"),
            InvoiceId = invoice.Id,
            Amount = credited.Amount,
            Btc = SandboxRates.ToBtc(credited.Amount, invoice.Currency),
            Rate = SandboxRates.Rate(invoice.Currency),
            Method = method == "lightning" ? "BTC-LN" : "BTC-CHAIN",
            AfterExpiry = invoice.Status == SandboxInvoiceStatus.Expired,
            At = now.UtcDateTime,
        };
        invoice.Payments.Add(payment);
        var settles = invoice.Status == SandboxInvoiceStatus.New && invoice.Paid >= invoice.Amount;
        if (settles)
            invoice.Status = SandboxInvoiceStatus.Settled;
        await ctx.SaveChangesAsync(ct);
        CrashPoints.Reach(SandboxCrashPoints.PayRecorded);

        var payments = GatewayPayments(invoice);
        if (payment.AfterExpiry)
        {
            await Send(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.PaidAfterExpiration, invoice.Id, now, payments), ct);
        }
        else
        {
            await Send(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, invoice.Id, now, payments, Report(invoice, payment)), ct);
            CrashPoints.Reach(SandboxCrashPoints.PayBetweenEvents);
            if (settles)
                await Send(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.Confirmed, invoice.Id, now, payments), ct);
        }
    }

    public async Task ExpireAsync(string invoiceId, CancellationToken ct) =>
        await Close(invoiceId, SandboxInvoiceStatus.Expired, InboundEventKind.InvoiceExpired, "expired", ct);

    public async Task InvalidateAsync(string invoiceId, CancellationToken ct) =>
        await Close(invoiceId, SandboxInvoiceStatus.Invalid, InboundEventKind.InvoiceInvalid, "invalid", ct);

    /// <summary>The recipient claims a pull payment to a destination (any text in the sandbox); the payout completes at once.</summary>
    public async Task ClaimAsync(string pullPaymentId, string? destination, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var pullPayment = await ctx.PullPayments.FirstOrDefaultAsync(p => p.Id == pullPaymentId, ct) ?? throw new NotFoundException("That pull payment");
        if (pullPayment.Status != SandboxPullPaymentStatus.Open)
            throw new EscrowException("sandbox.claimed", pullPayment.Status == SandboxPullPaymentStatus.Completed ? "This payment was already claimed." : "This pull payment was archived.");
        var to = destination?.Trim();
        if (string.IsNullOrEmpty(to) || to.Length > 500 || to.Any(char.IsControl))
            throw new InvalidInputException("destination", "Enter where to send the money: an address, a BOLT11 invoice or an LNURL (up to 500 characters, one line).");
        pullPayment.Status = SandboxPullPaymentStatus.Completed;
        pullPayment.Destination = to;
        await ctx.SaveChangesAsync(ct);
        CrashPoints.Reach(SandboxCrashPoints.ClaimRecorded);
        await Send(GatewayEventMapping.FromPayoutUpdate(pullPayment.Id, SandboxPaymentGateway.PayoutIdOf(pullPayment.Id), GatewayPayoutState.Completed, clock.GetUtcNow()), ct);
        CrashPoints.Reach(SandboxCrashPoints.ClaimEventSent);
    }

    private async Task Close(string invoiceId, SandboxInvoiceStatus status, InboundEventKind kind, string word, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        var invoice = await ctx.Invoices.Include(i => i.Payments).FirstOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("That invoice");
        if (invoice.Status != SandboxInvoiceStatus.New && !(status == SandboxInvoiceStatus.Invalid && invoice.Status != SandboxInvoiceStatus.Invalid))
            throw new EscrowException("sandbox.closed", $"This invoice is {invoice.Status.ToString().ToLowerInvariant()}; it cannot become {word}.");
        invoice.Status = status;
        await ctx.SaveChangesAsync(ct);
        await Send(new InboundPaymentEvent($"{invoice.Id}:{word}", kind, clock.GetUtcNow(), invoice.Id, Reports(invoice)), ct);
    }

    /// <summary>
    /// Hands an event to the escrow. What the sandbox recorded stands whatever the escrow's database does, as a payment
    /// does in BTCPay: an event that cannot be applied now (the database is away) is left to the escrow worker's
    /// reconciliation, and the payer's page shows the payment.
    /// </summary>
    private async Task Send(InboundPaymentEvent? e, CancellationToken ct)
    {
        if (e is null)
            return;
        try
        {
            await events.HandleAsync(e, ct);
        }
        catch (Exception x) when (x is not EscrowException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Sandbox: event {EventId} could not be applied now ({Error}: {Message}); the escrow worker reconciles it", e.EventId, x.GetType().Name, x.Message);
            missed.Note();
        }
    }

    private static List<PaymentReport> Reports(SandboxInvoice invoice) =>
        invoice.Payments.Where(p => !p.AfterExpiry).OrderBy(p => p.At).Select(p => Report(invoice, p)).ToList();

    /// <summary>Every payment of the invoice as the gateway reports it, oldest first.</summary>
    internal static List<GatewayPayment> GatewayPayments(SandboxInvoice invoice) =>
        invoice.Payments.OrderBy(p => p.At).ThenBy(p => p.Id, StringComparer.Ordinal).Select(p => new GatewayPayment(Report(invoice, p), p.AfterExpiry)).ToList();

    internal static PaymentReport Report(SandboxInvoice invoice, SandboxPayment p) =>
        new(p.Id, Money.Of(p.Amount, invoice.Currency), Money.Of(p.Btc, "BTC"), p.Rate, p.Method);
}
