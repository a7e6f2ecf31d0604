using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// Sign-in (password, then the authenticator code when two-factor is on), first-run set-up, and choosing a password from
/// an invitation or reset link. Besides each account's lockout, the forms share the public pages' budget per client
/// address, so trying one password on many accounts (or mailing many reset links) is slowed down too.
/// </summary>
[AllowAnonymous]
[AutoValidateAntiforgeryToken]
public sealed class AccountController(
    SignInManager<StaffUser> signIn, UserManager<StaffUser> users, StaffInvitations invitations, IAuthorizationService authorization,
    IOptions<EscrowHostOptions> options) : Controller
{
    /// <summary>Said of every refused sign-in alike, so the answer never tells whether the email has an account or is locked.</summary>
    public static readonly string SignInRefused =
        $"Sign-in failed: the email or password is wrong, or the account is locked after {StaffAccountsSetup.MaxFailedSignIns} failed attempts in a row "
        + $"(for {StaffAccountsSetup.LockoutWindow.TotalMinutes:0} minutes; then try again, or reset your password).";

    // The set-up page creates the first account once, even when two browsers send it at the same moment.
    private static readonly SemaphoreSlim SetupGate = new(1, 1);

    [HttpGet("/")]
    public async Task<IActionResult> Home()
    {
        if (!await users.Users.AnyAsync())
            return RedirectToAction(nameof(Setup));
        if (User.Identity?.IsAuthenticated != true)
            return RedirectToAction(nameof(Login));
        var storeId = options.Value.StoreId;
        if ((await authorization.AuthorizeAsync(User, storeId, EscrowPolicies.ManageContracts)).Succeeded)
            return Redirect($"/stores/{storeId}/plugins/escrow");
        if ((await authorization.AuthorizeAsync(User, storeId, EscrowPolicies.ArbitrateDisputes)).Succeeded)
            return Redirect($"/stores/{storeId}/plugins/escrow/disputes");
        return View("NoPermission");
    }

    [HttpGet("/login")]
    public async Task<IActionResult> Login(string? returnUrl) =>
        await users.Users.AnyAsync() ? View(new LoginModel { ReturnUrl = returnUrl }) : RedirectToAction(nameof(Setup));

    [HttpPost("/login")]
    [PublicRateLimit]
    public async Task<IActionResult> Login(LoginModel model)
    {
        var email = model.Email?.Trim() ?? "";
        var user = email.Length == 0 ? null : await users.FindByEmailAsync(email);
        if (user is null || string.IsNullOrEmpty(model.Password))
        {
            // As long as a real check, so the time taken does not tell which emails have an account.
            users.PasswordHasher.VerifyHashedPassword(new StaffUser(), DecoyHash, model.Password ?? "");
            return Refused(model);
        }
        var result = await signIn.PasswordSignInAsync(user, model.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
            return RedirectToAction(nameof(LoginTwoFactor), new { returnUrl = model.ReturnUrl });
        return result.Succeeded ? LocalRedirect(SafeReturn(model.ReturnUrl)) : Refused(model);
    }

    [HttpGet("/login/two-factor")]
    public async Task<IActionResult> LoginTwoFactor(string? returnUrl) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToAction(nameof(Login)) : View(new TwoFactorLoginModel { ReturnUrl = returnUrl });

    [HttpPost("/login/two-factor")]
    [PublicRateLimit]
    public async Task<IActionResult> LoginTwoFactor(TwoFactorLoginModel model)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
            return RedirectToAction(nameof(Login));
        var code = new string((model.Code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        var recovery = (model.RecoveryCode ?? "").Trim();
        var result = recovery.Length > 0
            ? await signIn.TwoFactorRecoveryCodeSignInAsync(recovery)
            : await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (result.Succeeded)
            return LocalRedirect(SafeReturn(model.ReturnUrl));
        ModelState.AddModelError("", result.IsLockedOut ? SignInRefused : "That code is not valid. Enter the current code of your authenticator app, or one of your recovery codes.");
        return View(model);
    }

    [HttpGet("/setup")]
    public async Task<IActionResult> Setup() => await users.Users.AnyAsync() ? RedirectToAction(nameof(Login)) : View(new LoginModel());

    [HttpPost("/setup")]
    public async Task<IActionResult> Setup(LoginModel model)
    {
        var email = model.Email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _) || email.Length > 320)
            return Invalid(model, "Enter a valid email address.");
        await SetupGate.WaitAsync();
        try
        {
            // Refused once an account exists, so the set-up page cannot be replayed.
            if (await users.Users.AnyAsync())
                return RedirectToAction(nameof(Login));
            var admin = FirstAdministrator.New(email);
            var created = await users.CreateAsync(admin, model.Password ?? "");
            if (!created.Succeeded)
                return Invalid(model, string.Join(" ", created.Errors.Select(e => e.Description)));
            await signIn.SignInAsync(admin, isPersistent: false);
        }
        finally
        {
            SetupGate.Release();
        }
        return Redirect("/");
    }

    [HttpPost("/logout")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return RedirectToAction(nameof(Login));
    }

    [HttpGet("/forgot-password")]
    public IActionResult ForgotPassword() => View(new ForgotPasswordModel { SendsEmail = invitations.SendsEmail });

    [HttpPost("/forgot-password")]
    [PublicRateLimit]
    public async Task<IActionResult> ForgotPassword(ForgotPasswordModel model, CancellationToken cancellationToken)
    {
        model.SendsEmail = invitations.SendsEmail;
        // The same answer whether or not the email has an account; only an active account with a password gets a link.
        if (model.SendsEmail && model.Email?.Trim() is { Length: > 0 } email && await users.FindByEmailAsync(email) is { IsDisabled: false, IsInvited: false } user)
            await invitations.IssueAsync(user, cancellationToken);
        model.Requested = model.SendsEmail;
        return View(model);
    }

    [HttpGet("/set-password")]
    public async Task<IActionResult> SetPassword(string? userId, string? code) =>
        await LinkUserAsync(userId) is { } user ? View(new SetPasswordModel { UserId = userId, Code = code, Email = user.Email, IsInvitation = user.IsInvited }) : View("LinkInvalid");

    [HttpPost("/set-password")]
    [PublicRateLimit]
    public async Task<IActionResult> SetPassword(SetPasswordModel model)
    {
        if (await LinkUserAsync(model.UserId) is not { } user)
            return View("LinkInvalid");
        model.Email = user.Email;
        model.IsInvitation = user.IsInvited;
        var result = await users.ResetPasswordAsync(user, model.Code ?? "", model.Password ?? "");
        if (!result.Succeeded)
        {
            // Identity says "Invalid token." of a used or expired link: say what to do instead.
            foreach (var error in result.Errors)
                ModelState.AddModelError("", error.Code == nameof(IdentityErrorDescriber.InvalidToken)
                    ? "This link has expired or was already used. Ask for a new one (Forgot your password?) or ask an administrator." : error.Description);
            return View(model);
        }
        // Following the emailed link proves the address; a locked-out account starts again with a clean count.
        user.EmailConfirmed = true;
        await users.UpdateAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return RedirectToAction(nameof(Login));
    }

    private async Task<StaffUser?> LinkUserAsync(string? userId) =>
        string.IsNullOrEmpty(userId) ? null : await users.FindByIdAsync(userId) is { IsDisabled: false } user ? user : null;

    private ViewResult Refused(LoginModel model)
    {
        ModelState.AddModelError("", SignInRefused);
        model.Password = null;
        return View(nameof(Login), model);
    }

    private ViewResult Invalid(LoginModel model, string error)
    {
        ModelState.AddModelError("", error);
        return View(nameof(Setup), model);
    }

    private string SafeReturn(string? returnUrl) => Url.IsLocalUrl(returnUrl) ? returnUrl! : "/";

    // A hash of a random password, for the decoy check above (computed once per process).
    private static readonly string DecoyHash = new PasswordHasher<StaffUser>().HashPassword(new StaffUser(), Guid.NewGuid().ToString());
}

public sealed class LoginModel
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}

public sealed class TwoFactorLoginModel
{
    public string? Code { get; set; }
    public string? RecoveryCode { get; set; }
    public string? ReturnUrl { get; set; }
}

public sealed class ForgotPasswordModel
{
    public string? Email { get; set; }
    public bool SendsEmail { get; set; }
    public bool Requested { get; set; }
}

public sealed class SetPasswordModel
{
    public string? UserId { get; set; }
    public string? Code { get; set; }
    public string? Password { get; set; }
    public string? Email { get; set; }
    public bool IsInvitation { get; set; }
}
