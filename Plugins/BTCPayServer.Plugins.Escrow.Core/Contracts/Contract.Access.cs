using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Capability links for the client and the freelancer. A party may hold several live links: the one the agency hands
// out (until revoked) and one per email (for a while). Rotate and revoke act on all of a party's links at once.
public sealed partial class Contract
{
    /// <summary>How long a link sent by email works.</summary>
    public static readonly TimeSpan EmailLinkLifetime = TimeSpan.FromDays(30);

    /// <summary>
    /// Issues a party's link that works until revoked; any link the party already holds stops working (a rotation).
    /// The raw token is returned once and never stored.
    /// </summary>
    public string IssuePartyLink(PartyRole role, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureLinksMayBeIssued();
        var rotated = _partyAccess.Any(a => a.Role == role);
        foreach (var access in _partyAccess.Where(a => a.Role == role))
            access.Revoke(at);
        var token = AddLink(role, at, expiresAt: null);
        Record(at, by, rotated ? "access.rotated" : "access.issued", ("party", role));
        return token;
    }

    /// <summary>
    /// Issues one more link for a party, working for <see cref="EmailLinkLifetime"/>, to be sent by email; the party's
    /// other links keep working. The audit entry says when and until when, never the token.
    /// </summary>
    public string IssueEmailLink(PartyRole role, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureLinksMayBeIssued();
        var expiresAt = at + EmailLinkLifetime;
        var token = AddLink(role, at, expiresAt);
        Record(at, by, "access.emailed", ("party", role), ("expires", expiresAt));
        return token;
    }

    /// <summary>
    /// Someone asked, on the store's public "Email me my link" page, for this party's link: the request is recorded
    /// (never with a token), and the email that answers it goes only to the address the contract holds, with a fresh
    /// link issued in the same save.
    /// </summary>
    public void RecordLinkRequest(PartyRole role, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureLinksMayBeIssued();
        if (State == ContractState.Draft)
            throw new InvalidTransitionException("access.draft", "The contract is a draft; its parties have no page yet.");
        Record(at, Actor.LinkRequestPage, "access.requested", ("party", role));
    }

    /// <summary>Revokes every live link of a party.</summary>
    public void RevokePartyLink(PartyRole role, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        var live = ActiveLinks(role, at);
        if (live.Count == 0)
            throw new NotFoundException($"An active {role.ToString().ToLowerInvariant()} link");
        foreach (var access in live)
            access.Revoke(at);
        Record(at, by, "access.revoked", ("party", role), ("links", live.Count));
    }

    /// <summary>The party's links that work at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<PartyAccess> ActiveLinks(PartyRole role, DateTimeOffset now) =>
        _partyAccess.Where(a => a.Role == role && a.IsActiveAt(now)).OrderBy(a => a.IssuedAt).ToList();

    /// <summary>Which party a presented token belongs to, if it is a live link of this contract at <paramref name="now"/>.</summary>
    public PartyRole? Authorize(string? token, DateTimeOffset now)
    {
        PartyRole? match = null;
        foreach (var access in _partyAccess)
        {
            // Check every link in constant time, so timing reveals neither which party nor how close a guess was.
            if (CapabilityToken.Matches(token, access.TokenHash) & access.IsActiveAt(now))
                match = access.Role;
        }
        return match;
    }

    private void EnsureLinksMayBeIssued()
    {
        if (State == ContractState.Cancelled)
            throw new InvalidTransitionException("access.closed", "The contract is cancelled; no new links are issued.");
    }

    private string AddLink(PartyRole role, DateTimeOffset at, DateTimeOffset? expiresAt)
    {
        // The party's dead links (revoked or expired) open nothing and only grow the contract; the audit log keeps their
        // history. Another party's are kept: while they hold no live link, the staff page says when theirs were revoked.
        _partyAccess.RemoveAll(a => a.Role == role && !a.IsActiveAt(at));
        var token = CapabilityToken.NewToken();
        _partyAccess.Add(new PartyAccess(Id, role, CapabilityToken.HashOf(token), at, expiresAt));
        return token;
    }
}
