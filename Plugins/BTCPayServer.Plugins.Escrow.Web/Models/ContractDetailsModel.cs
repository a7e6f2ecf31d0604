using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>A link shown once, right after it was issued or rotated: only its hash is kept.</summary>
public sealed record IssuedLink(PartyRole Role, string Url);

public sealed class ContractDetailsModel
{
    public required string StoreId { get; init; }
    public required Contract Contract { get; init; }
    public required IReadOnlyList<AuditEntry> Timeline { get; init; }
    public required AuditVerification Verification { get; init; }
    public IReadOnlyList<IssuedLink> IssuedLinks { get; init; } = [];
    /// <summary>The moment the page was read: which party links are live depends on it.</summary>
    public required DateTimeOffset Now { get; init; }
    /// <summary>The chain's height and the store's fee rate, read for non-custodial contracts only.</summary>
    public Infrastructure.EscrowChainNow Chain { get; init; } = Infrastructure.EscrowChainNow.Unknown;
    /// <summary>The stored audit log failed a check (now, or earlier as recorded on the contract): no money moves.</summary>
    public string? AuditProblem => Verification.IsValid ? Contract.AuditProblem : Verification.Problem ?? Contract.AuditProblem;
}

public sealed class ContractListModel
{
    public required string StoreId { get; init; }
    public required Core.Ports.ContractListPage Page { get; init; }
    public ContractState? State { get; init; }
    public string? Search { get; init; }
}

public sealed class ContractEditModel
{
    public required string StoreId { get; init; }
    public Guid? ContractId { get; init; }
    public ContractState? State { get; init; }
    public required ContractFormModel Form { get; init; }
}

/// <summary>
/// The second step of a staff act that moves money or cannot be undone: what will happen, with the exact amounts, and
/// a form that posts the same fields again with <c>confirm=yes</c>. Works without JavaScript.
/// </summary>
public sealed record ConfirmActModel(
    string Heading, string ContractTitle, IReadOnlyList<string> Effects, string PostUrl, string Button,
    IReadOnlyList<KeyValuePair<string, string>> Fields, string BackUrl)
{
    public const string Yes = "yes";

    public static bool IsConfirmed(string? confirm) => string.Equals(confirm, Yes, StringComparison.Ordinal);
}
