using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// A message about something that happened on a contract, to a party (<see cref="To"/>) or to one of the agency's
/// addresses (<see cref="To"/> null). <see cref="Body"/> says what happened; the email itself (<see cref="Text"/>,
/// <see cref="Html"/>) adds the page to open: the party's page, built by the host from <see cref="Link"/>, or for the
/// agency the staff page of the contract.
/// </summary>
public sealed record EscrowNotification(Guid ContractId, string StoreId, PartyRole? To, EmailKind Kind, string Recipient, string Subject, string Body, AuditEntry Cause)
{
    /// <summary>A link issued for this message, when the host sends links (see <see cref="IEscrowNotifier.SendsLinks"/>).</summary>
    public PartyLink? Link { get; init; }

    public bool ToAgency => To is null;

    /// <summary>The plain-text email, with the page's address when one is given.</summary>
    public string Text(string? pageUrl, string? linkRequestUrl = null) => NotificationBody.Text(this, pageUrl, linkRequestUrl);

    /// <summary>The HTML email: the same words, encoded, with the page's address as a link.</summary>
    public string Html(string? pageUrl, string? linkRequestUrl = null) => NotificationBody.Html(this, pageUrl, linkRequestUrl);
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

    /// <summary>
    /// Whether this host can send email for the store at all (inside BTCPay: the store has usable email settings). The
    /// "Email me my link" page says so when it cannot, instead of promising an email.
    /// </summary>
    Task<bool> CanSendAsync(string storeId, CancellationToken cancellationToken) => Task.FromResult(SendsLinks);

    /// <summary>The store's email choices (kinds switched off, the agency's addresses); all kinds on when the host keeps none.</summary>
    Task<EmailPreferences> PreferencesAsync(string storeId, CancellationToken cancellationToken) => Task.FromResult(EmailPreferences.Default);

    Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken);
}

/// <summary>The notifier of a host that cannot send anything yet. It says so: every call answers NotConfigured.</summary>
public sealed class NoNotifications : IEscrowNotifier
{
    public bool SendsLinks => false;

    public Task<bool> CanSendAsync(string storeId, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<NotificationResult> NotifyAsync(EscrowNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(NotificationResult.NotConfigured);
}
