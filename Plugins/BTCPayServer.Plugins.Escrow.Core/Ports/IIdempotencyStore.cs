using BTCPayServer.Plugins.Escrow.Core.Api;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>Where API requests made with an idempotency key are remembered (see <see cref="IdempotencyRecord"/>).</summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Stores <paramref name="record"/> as the first request with its key and returns null; when the key was already
    /// used (by a finished request or one still running), stores nothing and returns that earlier record.
    /// </summary>
    Task<IdempotencyRecord?> ClaimAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>Keeps the answer of a claimed request.</summary>
    Task CompleteAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>Forgets a claimed request that ended without an answer worth repeating (a failure of the server).</summary>
    Task ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets answered requests made before <paramref name="answeredBefore"/> and unanswered ones made before
    /// <paramref name="unansweredBefore"/>; returns how many were forgotten.
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset answeredBefore, DateTimeOffset unansweredBefore, CancellationToken cancellationToken);
}
