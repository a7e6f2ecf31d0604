using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Access;

/// <summary>
/// One of a party's links to a contract: the hash of its token, when it stops working (never, for the link the agency
/// hands out; after a while, for a link sent by email), and whether it was revoked. A party may hold several at once.
/// </summary>
public sealed class PartyAccess
{
    private PartyAccess() { }

    internal PartyAccess(Guid contractId, PartyRole role, string tokenHash, DateTimeOffset at, DateTimeOffset? expiresAt)
    {
        ContractId = contractId;
        Role = role;
        TokenHash = tokenHash;
        IssuedAt = at;
        ExpiresAt = expiresAt;
    }

    public Guid ContractId { get; private set; }
    public PartyRole Role { get; private set; }
    public string TokenHash { get; private set; } = "";
    public DateTimeOffset IssuedAt { get; private set; }
    /// <summary>Null: works until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);

    internal void Revoke(DateTimeOffset at) => RevokedAt ??= at;
}
