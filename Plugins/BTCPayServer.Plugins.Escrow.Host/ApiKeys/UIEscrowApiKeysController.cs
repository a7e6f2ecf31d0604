using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Host.ApiKeys;

/// <summary>
/// The administrator's API keys for the escrow API: made here (the key is shown once), listed, revoked. Only the
/// administrator (who holds every permission) makes keys: a staff member could otherwise give a key a permission they
/// lack themselves.
/// </summary>
[Route("stores/{storeId}/plugins/escrow/api-keys")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[Authorize(Policy = Accounts.StaffAccountsSetup.ManageStaffPolicy)]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowApiKeysController(ApiKeyStore keys) : Controller
{
    [HttpGet("")]
    public IActionResult Index([FromRoute] string storeId) => Page(storeId, new ApiKeyFormModel());

    [HttpPost("")]
    public IActionResult Create([FromRoute] string storeId, ApiKeyFormModel form)
    {
        if (!ModelState.IsValid)
            return Page(storeId, form);
        try
        {
            var (key, token) = keys.Create(form.Label, form.Permissions);
            // Shown in this answer only (no redirect, nothing in TempData): only its hash is stored.
            ViewData["NewKey"] = key;
            ViewData["NewToken"] = token;
            return Page(storeId, new ApiKeyFormModel());
        }
        catch (ArgumentException e)
        {
            ModelState.AddModelError("", e.Message);
            return Page(storeId, form);
        }
    }

    [HttpPost("{keyId}/revoke")]
    public IActionResult Revoke([FromRoute] string storeId, [FromRoute] string keyId)
    {
        if (!keys.Revoke(keyId))
            return NotFound();
        TempData["ApiKeyMessage"] = "The key is revoked: requests made with it are refused from now on.";
        return RedirectToAction(nameof(Index), new { storeId });
    }

    private ViewResult Page(string storeId, ApiKeyFormModel form)
    {
        ViewData["StoreId"] = storeId;
        ViewData["Keys"] = keys.List();
        ViewData["Message"] = TempData["ApiKeyMessage"];
        return View("Index", form);
    }
}

public sealed class ApiKeyFormModel
{
    public string? Label { get; set; }
    public List<string> Permissions { get; set; } = [EscrowPermissions.ManageContracts];
}
