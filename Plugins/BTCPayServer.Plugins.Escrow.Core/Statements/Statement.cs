using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Statements;

/// <summary>
/// The sums of a statement's lines in one currency, named as the escrow ledger names them: over a contract's whole
/// history they are its <see cref="Funding.EscrowLedger"/> figures (received, released, fees, refunded, balance).
/// </summary>
public sealed record StatementTotals(string Currency, Money Received, Money Released, Money Fees, Money Refunded)
{
    public Money BalanceChange => Received - Released - Fees - Refunded;
}

/// <summary>A contract with audit entries of it: what a statement is made of.</summary>
public sealed record StatementSource(Contract Contract, IReadOnlyList<AuditEntry> Entries);

/// <summary>A contract's or a store's statement: its lines, oldest first, and their totals per currency.</summary>
public sealed record Statement(StatementPeriod? Period, IReadOnlyList<StatementLine> Lines)
{
    public IReadOnlyList<StatementTotals> Totals => Lines.GroupBy(l => l.Amount.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
    {
        var zero = Money.Zero(g.Key);
        Money Sum(Func<StatementLine, bool> which, Func<StatementLine, Money> what) => g.Where(which).Aggregate(zero, (sum, l) => sum + what(l));
        return new StatementTotals(g.Key,
            Sum(l => l.Kind is StatementLineKind.Credited or StatementLineKind.CreditAdded or StatementLineKind.FundingReversed or StatementLineKind.CreditReversed, l => l.BalanceChange),
            Sum(l => l.Kind == StatementLineKind.Release, l => l.Amount),
            Sum(l => l.Kind == StatementLineKind.Fee, l => l.Amount),
            Sum(l => l.Kind is StatementLineKind.Refund or StatementLineKind.CreditRefunded, l => l.Amount));
    }).ToList();

    public static Statement Of(Contract contract, IEnumerable<AuditEntry> entries, StatementPeriod? period = null) =>
        new(period, StatementBuilder.Lines(contract, entries, period));

    /// <summary>Several contracts' lines in one statement, in the order they happened.</summary>
    public static Statement Of(IEnumerable<StatementSource> contracts, StatementPeriod period) =>
        new(period, contracts.SelectMany(c => StatementBuilder.Lines(c.Contract, c.Entries, period))
            .OrderBy(l => l.At).ThenBy(l => l.ContractTitle, StringComparer.Ordinal).ThenBy(l => l.ContractId).ToList());

    /// <summary>
    /// What a party may read of its contract's statement: every line, but a pull payment only on the lines paid to
    /// them (a pull payment's id is its claim link: another party's would let them claim it).
    /// </summary>
    public Statement ForParty(PartyRole role)
    {
        var party = role == PartyRole.Client ? StatementParty.Client : StatementParty.Freelancer;
        return this with { Lines = Lines.Select(l => l.Party == party ? l : l with { PullPaymentId = null }).ToList() };
    }
}
