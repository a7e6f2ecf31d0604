namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>
/// One email in a host's outbox: queued after the act that caused it, sent by a worker, retried with growing pauses
/// while the mail server fails, and visible to staff either way. Its content carries a party link, so the host keeps
/// it sealed (encrypted) and drops it once the email is sent or given up on.
/// </summary>
public sealed class OutgoingEmail
{
    /// <summary>Pauses after each failed attempt; after the last, the email is given up on.</summary>
    public static readonly IReadOnlyList<TimeSpan> Backoff =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)];

    public const int MaxErrorLength = 500;

    private OutgoingEmail() { }

    public OutgoingEmail(string storeId, Guid contractId, string recipient, string subject, string sealedContent, DateTimeOffset at)
    {
        Id = Guid.NewGuid();
        StoreId = storeId;
        ContractId = contractId;
        Recipient = recipient;
        Subject = subject;
        SealedContent = sealedContent;
        CreatedAt = at;
        NextAttemptAt = at;
    }

    public Guid Id { get; private set; }
    public string StoreId { get; private set; } = "";
    public Guid ContractId { get; private set; }
    public string Recipient { get; private set; } = "";
    public string Subject { get; private set; } = "";
    /// <summary>The bodies, encrypted by the host; null once sent or given up on.</summary>
    public string? SealedContent { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int Attempts { get; private set; }
    /// <summary>When the worker tries next; null when sent or given up on.</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }

    public bool GaveUp => SentAt is null && NextAttemptAt is null;

    public void MarkSent(DateTimeOffset at)
    {
        Attempts++;
        SentAt = at;
        NextAttemptAt = null;
        SealedContent = null;
    }

    public void MarkFailed(DateTimeOffset at, string error)
    {
        Attempts++;
        LastError = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        if (Attempts > Backoff.Count)
        {
            NextAttemptAt = null;
            SealedContent = null;
        }
        else
        {
            NextAttemptAt = at + Backoff[Attempts - 1];
        }
    }
}
