using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Terms;

/// <summary>One offered version of the terms, kept forever with the canonical text its hash was computed from.</summary>
public sealed class TermsVersion
{
    private TermsVersion() { }

    internal TermsVersion(int number, string canonical, DateTimeOffset offeredAt)
    {
        Number = number;
        Canonical = canonical;
        Hash = TermsCanonicalForm.Hash(canonical);
        OfferedAt = offeredAt;
    }

    public int Number { get; private set; }
    public string Hash { get; private set; } = "";
    public string Canonical { get; private set; } = "";
    public DateTimeOffset OfferedAt { get; private set; }
    public DateTimeOffset? ClientAcceptedAt { get; private set; }
    public DateTimeOffset? FreelancerAcceptedAt { get; private set; }

    public bool AcceptedByBoth => ClientAcceptedAt is not null && FreelancerAcceptedAt is not null;

    public bool IsAcceptedBy(PartyRole role) => (role == PartyRole.Client ? ClientAcceptedAt : FreelancerAcceptedAt) is not null;

    internal void Accept(PartyRole role, DateTimeOffset at)
    {
        if (role == PartyRole.Client) ClientAcceptedAt ??= at;
        else FreelancerAcceptedAt ??= at;
    }
}
