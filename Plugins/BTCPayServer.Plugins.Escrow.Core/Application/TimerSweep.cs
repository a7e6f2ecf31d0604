using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Runs every due automatic act (auto-approve, dispute escalation, overdue marks). Safe to run twice or concurrently.</summary>
public sealed class TimerSweep(IContractStoreFactory stores, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    public const int BatchSize = 200;
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    /// <returns>How many contracts changed.</returns>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> due;
        await using (var store = stores.Open())
            due = await store.FindDueForTimersAsync(clock.GetUtcNow(), BatchSize, cancellationToken);
        var changed = 0;
        foreach (var id in due)
        {
            try
            {
                if (await _work.RetryAsync((s, ct) => s.FindAsync(id, ct), c => c.RunTimers(clock.GetUtcNow()) > 0, cancellationToken) == true)
                    changed++;
            }
            catch (AuditLogBrokenException)
            {
                // An auto-approval on a contract whose audit log does not verify: refused and recorded on the contract
                // (whose timers then wait for the agency); the other contracts' timers still run.
            }
        }
        return changed;
    }
}
