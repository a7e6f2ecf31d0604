using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Access;

/// <summary>One party's link to a contract: the hash of its token, and whether it was revoked.</summary>
public sealed class PartyAccess
{
    private PartyAccess() { }

    internal PartyAccess(Guid contractId, PartyRole role, string tokenHash, DateTimeOffset at)
    {
        ContractId = contractId;
        Role = role;
        TokenHash = tokenHash;
        IssuedAt = at;
    }

    public Guid ContractId { get; private set; }
    public PartyRole Role { get; private set; }
    public string TokenHash { get; private set; } = "";
    public DateTimeOffset IssuedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public bool IsActive => RevokedAt is null;

    internal void Replace(string tokenHash, DateTimeOffset at)
    {
        TokenHash = tokenHash;
        IssuedAt = at;
        RevokedAt = null;
    }

    internal void Revoke(DateTimeOffset at) => RevokedAt ??= at;
}
