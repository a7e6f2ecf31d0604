using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Statements;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

public sealed record ContractListQuery(string StoreId, ContractState? State = null, string? Search = null, int Page = 1, int PageSize = 25)
{
    public const int MaxPageSize = 200;
}

/// <summary>
/// One line of the staff contract list; money as kept on the contract row at its last save. <see cref="AuditProblem"/>
/// is set when a check of the contract's stored audit log failed (no money moves for it; see <see cref="Contract.AuditProblem"/>).
/// <see cref="UnconfirmedPayout"/>: for a closed non-custodial contract, where its payout transactions stand while one
/// is not confirmed (see <see cref="NonCustodial.NonCustodialState.UnconfirmedPayoutStatus"/>); null otherwise.
/// </summary>
public sealed record ContractListRow(
    Guid Id, string Title, string ClientName, string FreelancerName, ContractState State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    Money Total, Money Funded, Money Released, Money Refunded, Money Outstanding, int OpenDisputes, string? AuditProblem = null,
    NonCustodial.EscrowSpendStatus? UnconfirmedPayout = null)
{
    public bool AuditBroken => AuditProblem is not null;
}

/// <summary>Sums over every contract matching the filter (not just the page), one line per currency.</summary>
public sealed record CurrencyTotals(string Currency, Money Funded, Money Released, Money Refunded, Money Outstanding);

public sealed record ContractListPage(IReadOnlyList<ContractListRow> Rows, int TotalCount, int Page, int PageSize, IReadOnlyList<CurrencyTotals> Totals)
{
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

/// <summary>One dispute in the agency's queue.</summary>
public sealed record DisputeQueueRow(
    Guid ContractId, string ContractTitle, Guid MilestoneId, int MilestoneNumber, string MilestoneTitle, Money Amount,
    PartyRole OpenedBy, string Reason, DisputeStatus Status, DateTimeOffset OpenedAt, DateTimeOffset ResponseDeadline);

/// <summary>A contract on which an email address is a party.</summary>
public sealed record PartyContractRef(Guid ContractId, PartyRole Role);

/// <summary>Flat read models for staff pages, each answered by one query whatever the data size.</summary>
public interface IContractQueries
{
    Task<ContractListPage> ListContractsAsync(ContractListQuery query, CancellationToken cancellationToken);

    /// <summary>Active disputes of a store (open and escalated), escalated first, oldest first.</summary>
    Task<IReadOnlyList<DisputeQueueRow>> ListActiveDisputesAsync(string storeId, CancellationToken cancellationToken);

    /// <summary>
    /// The store's contracts with money movements in the period, each loaded whole with its audit entries of the
    /// period that make statement lines (<see cref="StatementBuilder.EntryTypes"/>): a fixed number of queries.
    /// </summary>
    Task<IReadOnlyList<StatementSource>> ReadStatementSourcesAsync(string storeId, StatementPeriod period, CancellationToken cancellationToken);

    public const int MaxPartyContracts = 20;

    /// <summary>
    /// The store's contracts (proposed, active or completed; never drafts or cancelled ones) on which
    /// <paramref name="email"/> is the client's or the freelancer's address, compared without case; the most recently
    /// changed first, at most <see cref="MaxPartyContracts"/>. One query.
    /// </summary>
    Task<IReadOnlyList<PartyContractRef>> FindContractsOfPartyAsync(string storeId, string email, CancellationToken cancellationToken);
}
