using System.Text.Encodings.Web;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Host.Mail;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// Links that let a staff member choose a password: an invitation (a new account) or a password reset. Each link holds
/// a one-time code of Identity's (it stops working once a password is set) and is sent through the mail outbox, sealed
/// like party emails; without a mail server it is handed back, for the administrator to pass on.
/// </summary>
public sealed class StaffInvitations(
    UserManager<StaffUser> users, IEmailOutbox outbox, IDataProtectionProvider protection, IPublicAddress publicAddress,
    IOptions<EscrowHostOptions> options, TimeProvider clock)
{
    public bool SendsEmail => options.Value.Smtp.IsConfigured;

    /// <summary>Queues the link by email and returns null, or returns it when no mail server is configured.</summary>
    public async Task<string?> IssueAsync(StaffUser user, CancellationToken cancellationToken)
    {
        var code = await users.GeneratePasswordResetTokenAsync(user);
        var link = $"{publicAddress.BaseUrl()}/set-password?userId={Uri.EscapeDataString(user.Id)}&code={Uri.EscapeDataString(code)}";
        if (!SendsEmail)
            return link;
        var store = options.Value.StoreName;
        var (subject, lead) = user.IsInvited
            ? ($"You are invited to the escrow of {store}", $"You are invited to sign in to the escrow of {store} as {user.Email}. Choose your password here:")
            : ($"Reset your password for the escrow of {store}", $"Someone asked to reset the password of {user.Email} for the escrow of {store}. If it was you, choose a new password here:");
        const string after = "The link works once and for three days. If you did not expect this email, ignore it.";
        var html = HtmlEncoder.Default;
        var content = new EmailContent($"{lead}\n\n{link}\n\n{after}\n",
            $"<p>{html.Encode(lead)}</p><p><a href=\"{html.Encode(link)}\">{html.Encode(link)}</a></p><p>{html.Encode(after)}</p>");
        // Not about a contract: the empty id keeps it out of every contract's emails.
        await OutboxNotifier.QueueAsync(outbox, protection, new OutgoingEmailDraft(options.Value.StoreId, Guid.Empty, user.Email!, subject, content), clock.GetUtcNow(), cancellationToken);
        return null;
    }
}
