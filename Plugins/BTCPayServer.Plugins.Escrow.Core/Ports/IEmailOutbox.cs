using BTCPayServer.Plugins.Escrow.Core.Notifications;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>Where a host that sends its own mail keeps emails until they are sent (see <see cref="OutgoingEmail"/>).</summary>
public interface IEmailOutbox
{
    Task AddAsync(OutgoingEmail email, CancellationToken cancellationToken);

    /// <summary>Emails whose next attempt is due, oldest first.</summary>
    Task<IReadOnlyList<OutgoingEmail>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Stores the outcome of an attempt.</summary>
    Task UpdateAsync(OutgoingEmail email, CancellationToken cancellationToken);

    /// <summary>A store's latest emails, newest first, for staff to see what was sent and what failed.</summary>
    Task<IReadOnlyList<OutgoingEmail>> RecentAsync(string storeId, int count, CancellationToken cancellationToken);
}
