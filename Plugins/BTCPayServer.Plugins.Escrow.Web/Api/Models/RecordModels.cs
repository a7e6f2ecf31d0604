using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>
/// The contract's escrow ledger: the only record of what the escrow owes (BTCPay pull payments reserve nothing).
/// <c>balance</c> = received − released − fees − refunded.
/// </summary>
public sealed record LedgerData(
    string Currency, string Received, string Funded, string Released, string FeesRetained, string Refunded, string Credit,
    string AwaitingAcceptance, string Balance)
{
    public static LedgerData Of(EscrowLedger l) => new(
        l.Balance.Currency, l.Received.FormatAmount(), l.Funded.FormatAmount(), l.ReleasedToFreelancer.FormatAmount(), l.FeesRetained.FormatAmount(),
        l.RefundedToClient.FormatAmount(), l.Credit.FormatAmount(), l.AwaitingAcceptance.FormatAmount(), l.Balance.FormatAmount());
}

/// <summary>One entry of the contract's hash-chained audit log (its values as recorded: amounts carry their currency).</summary>
public sealed record TimelineEntryData(int Sequence, long Time, ActorRole Actor, string Type, IReadOnlyDictionary<string, string?> Data, string Hash);

/// <summary>The audit log, oldest first, and whether its chain verifies against the head the contract recorded.</summary>
public sealed record TimelineData(bool Verified, string? Problem, string HeadHash, IReadOnlyList<TimelineEntryData> Entries)
{
    public static TimelineData Of(IReadOnlyList<AuditEntry> entries, AuditVerification verification) => new(
        verification.IsValid, verification.Problem, verification.HeadHash,
        entries.Select(e => new TimelineEntryData(e.Sequence, UnixTime.Of(e.At), e.ActorRole, e.Type,
            JsonSerializer.Deserialize<Dictionary<string, string?>>(e.Data) ?? [], e.Hash)).ToList());
}

/// <summary>One money movement (see the README's *Statements*); amounts in <c>currency</c>, <c>balanceChange</c> signed.</summary>
public sealed record StatementLineData(
    long Time, Guid ContractId, string ContractTitle, int? Milestone, string Kind, StatementParty Party, string PartyName,
    string Amount, string BalanceChange, string Currency, string? BtcAmount, string? Rate, string? PaymentMethod,
    string? InvoiceId, string? PullPaymentId, string? PaymentId);

public sealed record StatementTotalsData(string Currency, string Received, string Released, string Fees, string Refunded, string BalanceChange);

/// <summary>A statement: its period (null: the contract's whole history), lines oldest first, totals per currency.</summary>
public sealed record StatementData(string? From, string? To, IReadOnlyList<StatementLineData> Lines, IReadOnlyList<StatementTotalsData> Totals)
{
    public static StatementData Of(Statement s) => new(
        s.Period is { } p ? StatementPeriod.Format(p.From) : null,
        s.Period is { } q ? StatementPeriod.Format(q.To) : null,
        s.Lines.Select(l => new StatementLineData(
            UnixTime.Of(l.At), l.ContractId, l.ContractTitle, l.Milestone, StatementFiles.KindCode(l.Kind), l.Party, l.PartyName,
            l.Amount.FormatAmount(), l.BalanceChange.FormatAmount(), l.Amount.Currency, l.Btc?.FormatAmount(),
            l.Rate?.ToString(System.Globalization.CultureInfo.InvariantCulture), l.PaymentMethod, l.InvoiceId, l.PullPaymentId, l.PaymentId)).ToList(),
        s.Totals.Select(t => new StatementTotalsData(t.Currency, t.Received.FormatAmount(), t.Released.FormatAmount(), t.Fees.FormatAmount(),
            t.Refunded.FormatAmount(), t.BalanceChange.FormatAmount())).ToList());
}
