using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// The administrator's page of staff accounts: invite by email, set each one's permissions, disable, remove, or issue a
/// password reset link. An administrator never changes their own account here, so the host always keeps one.
/// </summary>
[Authorize(Policy = StaffAccountsSetup.ManageStaffPolicy)]
[AutoValidateAntiforgeryToken]
[Route("staff")]
public sealed class StaffController(UserManager<StaffUser> users, StaffInvitations invitations) : Controller
{
    [HttpGet("")]
    public Task<IActionResult> Index() => Page(StaffInviteForm.Blank());

    [HttpPost("invite")]
    public async Task<IActionResult> Invite(StaffInviteForm form, CancellationToken cancellationToken)
    {
        var email = form.Email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _) || email.Length > 320)
            return await Page(form, error: "Enter a valid email address.");
        if (await users.FindByEmailAsync(email) is not null)
            return await Page(form, error: $"{email} already has an account.");
        var user = new StaffUser { UserName = email, Email = email };
        form.Permissions.ApplyTo(user);
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
            return await Page(form, error: string.Join(" ", created.Errors.Select(e => e.Description)));
        var link = await invitations.IssueAsync(user, cancellationToken);
        return await Page(StaffInviteForm.Blank(), link is null ? $"Invitation sent to {email}." : $"{email} is invited. Send them this link (shown once):", link);
    }

    [HttpPost("{userId}/permissions")]
    public Task<IActionResult> Permissions([FromRoute] string userId, StaffPermissions permissions) =>
        Change(userId, user => permissions.ApplyTo(user), "Permissions saved.");

    /// <summary>Asks first (<c>confirm=yes</c> acts): the account's sessions end, which may interrupt someone's work.</summary>
    [HttpPost("{userId}/disable")]
    public async Task<IActionResult> Disable([FromRoute] string userId, string? confirm)
    {
        if (confirm != StaffConfirmModel.Yes)
            return await OtherAsync(userId) is { } user
                ? Confirm(user, "disable", $"Disable {user.Email}?", "Disable the account",
                    $"{user.Email} can no longer sign in, and any session they have open ends within a minute.",
                    "Their permissions, password and two-factor setup are kept: Enable gives the account back as it was.",
                    "Contracts, rulings and the audit log keep what they did under their name.")
                : NotFound();
        return await Change(userId, user => user.IsDisabled = true, "Account disabled: it can no longer sign in.");
    }

    [HttpPost("{userId}/enable")]
    public Task<IActionResult> Enable([FromRoute] string userId) => Change(userId, user => user.IsDisabled = false, "Account enabled.");

    /// <summary>Asks first (<c>confirm=yes</c> acts): removing cannot be undone.</summary>
    [HttpPost("{userId}/remove")]
    public async Task<IActionResult> Remove([FromRoute] string userId, string? confirm)
    {
        if (await OtherAsync(userId) is not { } user)
            return NotFound();
        if (confirm != StaffConfirmModel.Yes)
            return Confirm(user, "remove", $"Remove {user.Email}?", "Remove the account for good",
                $"The account of {user.Email} is deleted: they can no longer sign in, and any session they have open ends within a minute.",
                "Its permissions, password and two-factor setup are gone. This cannot be undone; to let them back in, invite them again.",
                "Contracts, rulings and the audit log keep what they did under their name.",
                user.IsDisabled ? null : "To stop their access for now and keep the account, go back and choose Disable instead.");
        await users.DeleteAsync(user);
        return await Page(StaffInviteForm.Blank(), $"{user.Email} removed.");
    }

    [HttpPost("{userId}/reset-link")]
    public async Task<IActionResult> ResetLink([FromRoute] string userId, CancellationToken cancellationToken)
    {
        if (await OtherAsync(userId) is not { IsDisabled: false } user)
            return NotFound();
        var link = await invitations.IssueAsync(user, cancellationToken);
        var what = user.IsInvited ? "invitation" : "password reset link";
        return await Page(StaffInviteForm.Blank(), link is null ? $"A new {what} was sent to {user.Email}." : $"New {what} for {user.Email} (shown once):", link);
    }

    private async Task<IActionResult> Change(string userId, Action<StaffUser> change, string done)
    {
        if (await OtherAsync(userId) is not { } user)
            return NotFound();
        change(user);
        await users.UpdateAsync(user);
        // Its open sessions are checked again within a minute and pick up the change (or end, when disabled).
        await users.UpdateSecurityStampAsync(user);
        return await Page(StaffInviteForm.Blank(), $"{user.Email}: {done}");
    }

    private ViewResult Confirm(StaffUser user, string act, string heading, string button, params string?[] effects) =>
        View("Confirm", new StaffConfirmModel(heading, [.. effects.OfType<string>()], $"/staff/{user.Id}/{act}", button));

    /// <summary>Another account than the signed-in administrator's own.</summary>
    private async Task<StaffUser?> OtherAsync(string userId) =>
        await users.FindByIdAsync(userId) is { } user && user.Id != users.GetUserId(User) ? user : null;

    private async Task<IActionResult> Page(StaffInviteForm form, string? message = null, string? link = null, string? error = null)
    {
        if (error is not null)
            ModelState.AddModelError("", error);
        var staff = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync();
        return View("Index", new StaffPageModel(staff, users.GetUserId(User), form, message, link, invitations.SendsEmail));
    }
}

/// <summary>What disabling or removing an account will do, asked before it is done.</summary>
public sealed record StaffConfirmModel(string Heading, IReadOnlyList<string> Effects, string PostUrl, string Button)
{
    public const string Yes = "yes";
}

public sealed record StaffPageModel(IReadOnlyList<StaffUser> Staff, string? CurrentUserId, StaffInviteForm Invite, string? Message, string? IssuedLink, bool SendsEmail);

public sealed class StaffPermissions
{
    public bool MayManageContracts { get; set; }
    public bool MayArbitrateDisputes { get; set; }
    public bool IsAdministrator { get; set; }

    public void ApplyTo(StaffUser user)
    {
        user.MayManageContracts = MayManageContracts;
        user.MayArbitrateDisputes = MayArbitrateDisputes;
        user.IsAdministrator = IsAdministrator;
    }
}

public sealed class StaffInviteForm
{
    public string? Email { get; set; }
    // An unticked box sends nothing: a bound form starts with no permission; a blank form offers "manage contracts".
    public StaffPermissions Permissions { get; set; } = new();

    public static StaffInviteForm Blank() => new() { Permissions = new StaffPermissions { MayManageContracts = true } };
}
