using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Statements;

/// <summary>What one statement line records; each comes from one kind of audit entry (see <see cref="StatementBuilder"/>).</summary>
public enum StatementLineKind
{
    /// <summary>The gateway reported a payment; what it funds shows in the lines that credit it.</summary>
    PaymentReceived,
    /// <summary>A payment arrived after its invoice expired and waits for the agency.</summary>
    LatePaymentHeld,
    LatePaymentAccepted,
    /// <summary>A late payment sent back; it was never counted as received.</summary>
    LatePaymentRefunded,
    /// <summary>Part of a payment funds a milestone: received by the escrow.</summary>
    Credited,
    /// <summary>Funding taken back because its invoice turned out invalid.</summary>
    FundingReversed,
    /// <summary>Part of a payment beyond its milestones, kept as the client's credit: received by the escrow.</summary>
    CreditAdded,
    /// <summary>Credit moved into a milestone: no money enters or leaves the escrow.</summary>
    CreditApplied,
    CreditReversed,
    CreditRefunded,
    Release,
    Fee,
    Refund,
}

/// <summary>Whom a line concerns.</summary>
public enum StatementParty
{
    Client,
    Freelancer,
    Agency,
}

/// <summary>
/// One money movement of a contract. <see cref="Amount"/> is what moved (never negative); <see cref="BalanceChange"/>
/// is what it did to the escrow's balance (received +, released, fees and refunds −, zero for what only passes by or
/// moves inside the escrow), so the balance changes of a contract's lines add up to its ledger balance.
/// </summary>
/// <param name="Btc">The BTC this line is worth where the escrow knows it (what arrived, or what a BTC-locked payout pays).</param>
/// <param name="Rate">Contract currency per BTC of the payment behind the line, where there is one.</param>
public sealed record StatementLine(
    DateTimeOffset At,
    Guid ContractId,
    string ContractTitle,
    int? Milestone,
    StatementLineKind Kind,
    StatementParty Party,
    string PartyName,
    Money Amount,
    Money BalanceChange,
    Money? Btc,
    decimal? Rate,
    string? PaymentMethod,
    string? InvoiceId,
    string? PullPaymentId,
    string? PaymentId);
