using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, RFC 6238): the shared key and its otpauth URI are shown, a code
/// from the app turns it on, and ten single-use recovery codes are shown once.
/// </summary>
[Authorize]
[AutoValidateAntiforgeryToken]
[Route("account/two-factor")]
public sealed class TwoFactorController(UserManager<StaffUser> users, SignInManager<StaffUser> signIn, IOptions<EscrowHostOptions> options) : Controller
{
    private const int RecoveryCodes = 10;

    [HttpGet("")]
    public async Task<IActionResult> Index() => await UserAsync() is { } user ? View(await ModelAsync(user)) : Challenge();

    [HttpPost("enable")]
    public async Task<IActionResult> Enable(string? code)
    {
        if (await UserAsync() is not { } user)
            return Challenge();
        var cleaned = new string((code ?? "").Where(char.IsDigit).ToArray());
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, cleaned))
        {
            ModelState.AddModelError("", "That code is not valid: enter the 6-digit code your authenticator app shows now.");
            return View(nameof(Index), await ModelAsync(user));
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        var recovery = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodes);
        await signIn.RefreshSignInAsync(user);
        return View(nameof(Index), await ModelAsync(user, recovery?.ToList()));
    }

    [HttpPost("recovery-codes")]
    public async Task<IActionResult> NewRecoveryCodes()
    {
        if (await UserAsync() is not { TwoFactorEnabled: true } user)
            return RedirectToAction(nameof(Index));
        var recovery = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodes);
        return View(nameof(Index), await ModelAsync(user, recovery?.ToList()));
    }

    [HttpPost("disable")]
    public async Task<IActionResult> Disable()
    {
        if (await UserAsync() is not { } user)
            return Challenge();
        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key: the app's old entry stops matching, so turning it on again means scanning again.
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        return RedirectToAction(nameof(Index));
    }

    private Task<StaffUser?> UserAsync() => users.GetUserAsync(User);

    private async Task<TwoFactorPageModel> ModelAsync(StaffUser user, IReadOnlyList<string>? recoveryCodes = null)
    {
        if (user.TwoFactorEnabled)
            return new TwoFactorPageModel(true, null, null, await users.CountRecoveryCodesAsync(user), recoveryCodes);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        var issuer = UrlEncoder.Default.Encode($"{options.Value.StoreName} escrow");
        var uri = $"otpauth://totp/{issuer}:{UrlEncoder.Default.Encode(user.Email!)}?secret={key}&issuer={issuer}&digits=6";
        return new TwoFactorPageModel(false, key, uri, 0, recoveryCodes);
    }
}

public sealed record TwoFactorPageModel(bool Enabled, string? SharedKey, string? AuthenticatorUri, int RecoveryCodesLeft, IReadOnlyList<string>? RecoveryCodes);
