using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>A message to a party or the agency about something that happened on a contract.</summary>
public sealed record EscrowNotification(Guid ContractId, string StoreId, string Recipient, string Subject, string Body, AuditEntry Cause);

public enum NotificationResult
{
    Sent,
    /// <summary>The host has no way to send (e.g. no email settings); nothing was sent and callers must not claim otherwise.</summary>
    NotConfigured,
    Failed,
}

public interface IEscrowNotifier
{
    Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken);
}

/// <summary>The notifier of a host that cannot send anything yet. It says so: every call answers NotConfigured.</summary>
public sealed class NoNotifications : IEscrowNotifier
{
    public Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(NotificationResult.NotConfigured);
}
