using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The payout outbox on BTCPay's scheduler: decided payouts become pull payments. Failures stay on the instruction
/// (shown to staff) and are retried with back-off by Core; a failed pass never stops the next one.
/// </summary>
public sealed class PayoutOutboxTask(PayoutDispatcher payouts, ILogger<PayoutOutboxTask> logger) : IPeriodicTask
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public async Task Do(CancellationToken cancellationToken)
    {
        var claimable = await payouts.DispatchDueAsync(cancellationToken);
        if (claimable > 0)
            logger.LogInformation("Escrow outbox made {Payouts} payout(s) claimable", claimable);
    }
}
