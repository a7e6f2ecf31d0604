using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// A message to a party about something that happened on a contract. <see cref="Body"/> says what happened; the email
/// itself (<see cref="Text"/>, <see cref="Html"/>) adds the party's page address, built by the host from <see cref="Link"/>.
/// </summary>
public sealed record EscrowNotification(Guid ContractId, string StoreId, PartyRole To, string Recipient, string Subject, string Body, AuditEntry Cause)
{
    /// <summary>A link issued for this message, when the host sends links (see <see cref="IEscrowNotifier.SendsLinks"/>).</summary>
    public PartyLink? Link { get; init; }

    /// <summary>The plain-text email, with the party page address when one is given.</summary>
    public string Text(string? partyPageUrl) => NotificationBody.Text(this, partyPageUrl);

    /// <summary>The HTML email: the same words, encoded, with the party page address as a link.</summary>
    public string Html(string? partyPageUrl) => NotificationBody.Html(this, partyPageUrl);
}

public enum NotificationResult
{
    Sent,
    /// <summary>The host has no way to send (e.g. no email settings); nothing was sent and callers must not claim otherwise.</summary>
    NotConfigured,
    Failed,
}

public interface IEscrowNotifier
{
    /// <summary>
    /// Whether each message should carry a fresh link for its party (issued, and its hash stored, with the act that
    /// caused the message). A host that sends nothing says no, so no link is issued that no one will ever hold.
    /// </summary>
    bool SendsLinks => true;

    Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken);
}

/// <summary>The notifier of a host that cannot send anything yet. It says so: every call answers NotConfigured.</summary>
public sealed class NoNotifications : IEscrowNotifier
{
    public bool SendsLinks => false;

    public Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(NotificationResult.NotConfigured);
}
