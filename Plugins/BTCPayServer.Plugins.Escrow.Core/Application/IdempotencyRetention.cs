using BTCPayServer.Plugins.Escrow.Core.Api;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// Keeps the API's idempotency records bounded: answers are kept for <see cref="IdempotencyRecord.KeptFor"/>, requests
/// cut short by a stopped server are freed after <see cref="IdempotencyRecord.AbandonedAfter"/>. Safe to run anywhere,
/// any number of times.
/// </summary>
public sealed class IdempotencyRetention(IIdempotencyStore store, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private DateTimeOffset? _lastRun;

    public Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        _lastRun = now;
        return store.PruneAsync(now - IdempotencyRecord.KeptFor, now - IdempotencyRecord.AbandonedAfter, cancellationToken);
    }

    /// <summary>For a loop that runs more often than <see cref="Interval"/>: prunes once per interval.</summary>
    public Task<int> PruneIfDueAsync(CancellationToken cancellationToken) =>
        _lastRun is { } last && clock.GetUtcNow() - last < Interval ? Task.FromResult(0) : PruneAsync(cancellationToken);
}
