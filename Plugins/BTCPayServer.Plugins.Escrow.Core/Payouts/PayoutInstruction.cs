using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Payouts;

public enum PayoutKind
{
    Release,
    Refund,
}

public enum PayoutStatus
{
    /// <summary>Decided and written to the outbox; no pull payment yet.</summary>
    Queued,
    /// <summary>The pull payment exists; the recipient can claim it.</summary>
    Claimable,
    /// <summary>The recipient's payout was sent.</summary>
    Completed,
}

/// <summary>
/// An outbox row: a decided payment to one party. Written with the decision in one transaction; a worker turns it into
/// a pull payment. Its <see cref="Key"/> is unique, so one decision can never pay the same recipient twice.
/// </summary>
public sealed class PayoutInstruction
{
    public const int MaxAttemptsBeforeAlert = 10;

    private PayoutInstruction() { }

    internal PayoutInstruction(Guid contractId, string key, Guid? milestoneId, PayoutKind kind, PartyRole recipient, Money amount, Money payoutAmount, string description, string? sourceInvoiceId, DateTimeOffset at)
    {
        SourceInvoiceId = sourceInvoiceId;
        Id = Guid.NewGuid();
        ContractId = contractId;
        Key = key;
        MilestoneId = milestoneId;
        Kind = kind;
        Recipient = recipient;
        Amount = amount;
        PayoutAmount = payoutAmount;
        Description = description;
        CreatedAt = at;
        NextAttemptAt = at;
    }

    public Guid Id { get; private set; }
    public Guid ContractId { get; private set; }
    public string Key { get; private set; } = "";
    public Guid? MilestoneId { get; private set; }
    public PayoutKind Kind { get; private set; }
    public PartyRole Recipient { get; private set; }
    /// <summary>Value in the contract currency (what the ledger counts).</summary>
    public Money Amount { get; private set; }
    /// <summary>What the pull payment pays: the contract currency, or BTC for BTC-locked contracts.</summary>
    public Money PayoutAmount { get; private set; }
    public string Description { get; private set; } = "";
    /// <summary>For a client refund: the funding invoice whose money goes back (BTCPay links refunds to it).</summary>
    public string? SourceInvoiceId { get; private set; }
    public PayoutStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public string? PullPaymentId { get; private set; }
    public string? ClaimLink { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ClaimableAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    public bool IsDue(DateTimeOffset now) => Status == PayoutStatus.Queued && NextAttemptAt <= now;

    internal void MarkClaimable(string pullPaymentId, string claimLink, DateTimeOffset at)
    {
        if (Status != PayoutStatus.Queued)
            return; // a second report of the same creation changes nothing
        PullPaymentId = pullPaymentId;
        ClaimLink = claimLink;
        Status = PayoutStatus.Claimable;
        ClaimableAt = at;
        LastError = null;
        NextAttemptAt = null;
    }

    internal void RecordFailure(string error, DateTimeOffset at)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        // Back off 30s, 1m, 2m ... capped at one hour; the worker retries forever, staff see the error.
        var delay = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Min(Attempts - 1, 7))));
        NextAttemptAt = at + delay;
    }

    internal bool MarkCompleted(DateTimeOffset at)
    {
        if (Status == PayoutStatus.Completed)
            return false;
        Status = PayoutStatus.Completed;
        CompletedAt = at;
        return true;
    }
}
