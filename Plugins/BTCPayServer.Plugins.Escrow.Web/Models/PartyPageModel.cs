using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

public sealed class PartyPageModel
{
    public required string Token { get; init; }
    public required Contract Contract { get; init; }
    public required PartyRole Role { get; init; }
    public required DateTimeOffset Now { get; init; }
    public string? Error { get; init; }
    public string? Notice { get; init; }
    /// <summary>Page of the dispute threads shown (1: the latest messages).</summary>
    public int Thread { get; init; } = 1;
    /// <summary>The agency's (store's) name, logo and colour where the host knows them.</summary>
    public AgencyBrand Brand { get; init; } = AgencyBrand.None;
    public string? AgencyName => Brand.Name;
    /// <summary>The contract's audit entries, oldest first: the party timeline and the reasons given are read from them.</summary>
    public IReadOnlyList<AuditEntry> History { get; init; } = [];
    /// <summary>The chain's height and the store's fee rate, read for non-custodial contracts only.</summary>
    public EscrowChainNow Chain { get; init; } = EscrowChainNow.Unknown;

    /// <summary>How the page names the agency.</summary>
    public string Agency => AgencyName ?? "The agency";

    public bool IsClient => Role == PartyRole.Client;
    public TermsVersion? Latest => Contract.LatestTermsVersion;
    /// <summary>Terms of the latest version as offered (which may be an amendment not yet in force).</summary>
    public ContractTerms? OfferedTerms => Latest is null ? null : TermsCanonicalForm.Parse(Latest.Canonical);
    /// <summary>The latest terms this party accepted: what binds them, readable at any time.</summary>
    public TermsVersion? AcceptedByYou => Contract.TermsVersions.Where(v => v.IsAcceptedBy(Role)).MaxBy(v => v.Number);
    public ContractTerms? AcceptedTerms => AcceptedByYou is null ? null : TermsCanonicalForm.Parse(AcceptedByYou.Canonical);
    /// <summary>What the offered version changes against the one this party accepted (empty when there is nothing new to accept).</summary>
    public IReadOnlyList<string> ChangesSinceAccepted =>
        MustAccept && AcceptedTerms is { } accepted && OfferedTerms is { } offered ? TermsChanges.Between(accepted, offered) : [];
    public bool MustAccept => Latest is not null && !Latest.IsAcceptedBy(Role) && Latest.Number != Contract.EffectiveTermsVersion
        && Contract.State is ContractState.Proposed or ContractState.Active;
}
