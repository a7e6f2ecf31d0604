using BTCPayServer.Plugins.Escrow.Core.Gateway;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

public sealed record GatewayPayoutStatus(string PayoutId, GatewayPayoutState State);

/// <summary>Reads the gateway's current state of invoices and pull payments, for reconciliation after missed events.</summary>
public interface IGatewayStateReader
{
    /// <summary>Null when the gateway no longer knows the invoice.</summary>
    Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken);

    /// <summary>
    /// Several invoices at once (reconciliation asks for up to <c>GatewayReconciliation.BatchSize</c>); those the gateway
    /// no longer knows are left out. A gateway that can read them in one query does; this default asks one by one.
    /// </summary>
    async Task<IReadOnlyList<GatewayInvoiceState>> GetInvoicesAsync(IReadOnlyList<string> invoiceIds, CancellationToken cancellationToken)
    {
        var states = new List<GatewayInvoiceState>(invoiceIds.Count);
        foreach (var invoiceId in invoiceIds)
            if (await GetInvoiceAsync(invoiceId, cancellationToken) is { } state)
                states.Add(state);
        return states;
    }

    /// <summary>The payouts of several pull payments at once, by pull payment id (one without payouts may be left out).</summary>
    async Task<IReadOnlyDictionary<string, IReadOnlyList<GatewayPayoutStatus>>> GetPayoutsAsync(IReadOnlyList<string> pullPaymentIds, CancellationToken cancellationToken)
    {
        var payouts = new Dictionary<string, IReadOnlyList<GatewayPayoutStatus>>(pullPaymentIds.Count);
        foreach (var pullPaymentId in pullPaymentIds)
            payouts[pullPaymentId] = await GetPayoutsAsync(pullPaymentId, cancellationToken);
        return payouts;
    }
}

/// <summary>What the escrow still waits to hear about from the gateway.</summary>
public interface IGatewayWatchList
{
    /// <summary>Invoices not yet settled or invalid (new ones, and expired ones that may still be paid late).</summary>
    Task<IReadOnlyList<string>> ListWatchedInvoicesAsync(CancellationToken cancellationToken);

    /// <summary>Pull payments made for payouts that are claimable but not yet completed.</summary>
    Task<IReadOnlyList<string>> ListWatchedPullPaymentsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Which of these inbound event ids were applied already (in one query), so reconciliation loads a contract only
    /// when the gateway reports something it has not applied.
    /// </summary>
    Task<IReadOnlySet<string>> FindAppliedEventsAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken);
}
