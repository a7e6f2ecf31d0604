using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Capability links for the client and the freelancer.
public sealed partial class Contract
{
    /// <summary>Issues (or rotates) a party's link. The raw token is returned once and never stored.</summary>
    public string IssuePartyLink(PartyRole role, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        if (ContractTransitions.IsFinal(State) && State == ContractState.Cancelled)
            throw new InvalidTransitionException("access.closed", "The contract is cancelled; no new links are issued.");
        var token = CapabilityToken.NewToken();
        var hash = CapabilityToken.HashOf(token);
        var existing = _partyAccess.FirstOrDefault(a => a.Role == role);
        if (existing is null)
            _partyAccess.Add(new PartyAccess(Id, role, hash, at));
        else
            existing.Replace(hash, at);
        Record(at, by, existing is null ? "access.issued" : "access.rotated", ("party", role));
        return token;
    }

    public void RevokePartyLink(PartyRole role, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        var access = _partyAccess.FirstOrDefault(a => a.Role == role && a.IsActive)
            ?? throw new NotFoundException($"An active {role.ToString().ToLowerInvariant()} link");
        access.Revoke(at);
        Record(at, by, "access.revoked", ("party", role));
    }

    /// <summary>Which party a presented token belongs to, if it is a live link of this contract.</summary>
    public PartyRole? Authorize(string? token)
    {
        PartyRole? match = null;
        foreach (var access in _partyAccess)
        {
            // Check every link in constant time, so timing reveals neither which party nor how close a guess was.
            if (CapabilityToken.Matches(token, access.TokenHash) && access.IsActive)
                match = access.Role;
        }
        return match;
    }
}
