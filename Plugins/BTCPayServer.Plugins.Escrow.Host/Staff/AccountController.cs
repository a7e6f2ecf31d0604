using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Staff;

[AllowAnonymous]
[AutoValidateAntiforgeryToken]
public sealed class AccountController(StaffAccounts accounts, IOptions<EscrowHostOptions> options) : Controller
{
    [HttpGet("/")]
    public IActionResult Home() =>
        !accounts.IsConfigured ? RedirectToAction(nameof(Setup))
        : User.Identity?.IsAuthenticated == true ? Redirect($"/stores/{options.Value.StoreId}/plugins/escrow")
        : RedirectToAction(nameof(Login));

    [HttpGet("/login")]
    public IActionResult Login(string? returnUrl) => accounts.IsConfigured ? View(new LoginModel { ReturnUrl = returnUrl }) : RedirectToAction(nameof(Setup));

    [HttpPost("/login")]
    public async Task<IActionResult> Login(LoginModel model)
    {
        if (!accounts.Verify(model.Email, model.Password))
        {
            ModelState.AddModelError("", "Wrong email or password.");
            return View(model);
        }
        await SignIn(model.Email!.Trim());
        return LocalRedirect(Url.IsLocalUrl(model.ReturnUrl) ? model.ReturnUrl! : "/");
    }

    [HttpGet("/setup")]
    public IActionResult Setup() => accounts.IsConfigured ? RedirectToAction(nameof(Login)) : View(new LoginModel());

    [HttpPost("/setup")]
    public async Task<IActionResult> Setup(LoginModel model)
    {
        if (accounts.Create(model.Email, model.Password) is { } error)
        {
            ModelState.AddModelError("", error);
            return accounts.IsConfigured ? RedirectToAction(nameof(Login)) : View(model);
        }
        await SignIn(model.Email!.Trim());
        return Redirect("/");
    }

    [HttpPost("/logout")]
    public async Task<IActionResult> Logout()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToAction(nameof(Login));
    }

    private Task SignIn(string email)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, email),
            new Claim(ClaimTypes.Name, email),
            new Claim(StoreStaffRequirement.StoreClaim, options.Value.StoreId),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }
}

public sealed class LoginModel
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}
