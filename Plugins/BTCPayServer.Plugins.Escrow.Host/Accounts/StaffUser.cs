using Microsoft.AspNetCore.Identity;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// A staff account of the standalone host, with the same two permissions a BTCPay store role gives (manage contracts,
/// arbitrate disputes); an administrator also manages the other accounts.
/// </summary>
public sealed class StaffUser : IdentityUser
{
    public bool MayManageContracts { get; set; }
    public bool MayArbitrateDisputes { get; set; }
    public bool IsAdministrator { get; set; }
    /// <summary>A disabled account cannot sign in; its sessions end at their next check (see StaffAccountsSetup).</summary>
    public bool IsDisabled { get; set; }
    /// <summary>Invited and not yet accepted: the account has no password until the invitation link is followed.</summary>
    public bool IsInvited => PasswordHash is null;
}
