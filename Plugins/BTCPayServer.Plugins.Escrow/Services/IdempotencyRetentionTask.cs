using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Application;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>Forgets the escrow API's old idempotency records (answers after 7 days, abandoned requests after 15 minutes), on BTCPay's scheduler.</summary>
public sealed class IdempotencyRetentionTask(IdempotencyRetention retention) : IPeriodicTask
{
    public Task Do(CancellationToken cancellationToken) => retention.PruneAsync(cancellationToken);
}
