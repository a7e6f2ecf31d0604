using BTCPayServer.Plugins.Escrow.Core.Gateway;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

public sealed record GatewayPayoutStatus(string PayoutId, GatewayPayoutState State);

/// <summary>Reads the gateway's current state of invoices and pull payments, for reconciliation after missed events.</summary>
public interface IGatewayStateReader
{
    /// <summary>Null when the gateway no longer knows the invoice.</summary>
    Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken);
}

/// <summary>What the escrow still waits to hear about from the gateway.</summary>
public interface IGatewayWatchList
{
    /// <summary>Invoices not yet settled or invalid (new ones, and expired ones that may still be paid late).</summary>
    Task<IReadOnlyList<string>> ListWatchedInvoicesAsync(CancellationToken cancellationToken);

    /// <summary>Pull payments made for payouts that are claimable but not yet completed.</summary>
    Task<IReadOnlyList<string>> ListWatchedPullPaymentsAsync(CancellationToken cancellationToken);
}
