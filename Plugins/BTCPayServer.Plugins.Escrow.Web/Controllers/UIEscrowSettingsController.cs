using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The store's escrow settings: defaults for new contracts, payment and payout methods, claim approval; and, in a host
/// that sends its own mail (an <see cref="IEmailOutbox"/> is registered), the latest party emails and their status.
/// </summary>
[Route("stores/{storeId}/plugins/escrow/settings")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[AutoValidateAntiforgeryToken]
[ShortBindingErrors]
public sealed class UIEscrowSettingsController(IStoreSettingsStore settings, IEnumerable<IEmailOutbox> outboxes, LinkGenerator links, IPublicAddress publicAddress) : Controller
{
    /// <summary>How many of the latest emails the settings page lists.</summary>
    public const int EmailsShown = 20;

    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, CancellationToken cancellationToken)
    {
        ViewData["StoreId"] = storeId;
        ViewData["LinkRequestUrl"] = links.LinkRequestUrl(publicAddress, storeId);
        ViewData["Saved"] = TempData["EscrowSettingsSaved"];
        if (outboxes.FirstOrDefault() is { } outbox)
            ViewData["Emails"] = await outbox.RecentAsync(storeId, EmailsShown, cancellationToken);
        return View(SettingsFormModel.From(await settings.GetAsync(storeId, cancellationToken)));
    }

    [HttpPost("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, SettingsFormModel form, CancellationToken cancellationToken)
    {
        ViewData["StoreId"] = storeId;
        ViewData["LinkRequestUrl"] = links.LinkRequestUrl(publicAddress, storeId);
        // A value that did not bind (an unknown policy, "two weeks") must not quietly become a default and be saved.
        if (!ModelState.IsValid)
            return Redisplay(form);
        try
        {
            // The agency key is read on the chain's network; a private key is refused and never repeated on the page.
            var network = HttpContext.RequestServices.GetService(typeof(Core.NonCustodial.IEscrowChain)) is Core.NonCustodial.IEscrowChain chain ? chain.Network : null;
            await settings.SaveAsync(storeId, form.ToSettings(network), cancellationToken);
            TempData["EscrowSettingsSaved"] = "Settings saved. Defaults and methods apply to contracts created, invoices opened and payouts made from now on; email choices apply to the next email.";
            return RedirectToAction(nameof(Index), new { storeId });
        }
        catch (EscrowException e)
        {
            ModelState.AddEscrowError(e);
            if (form.AgencyKey is { } typed && Core.NonCustodial.PrivateKeyDetector.ContainsPrivateKey(typed))
            {
                form.AgencyKey = null;
                ModelState.Remove(nameof(SettingsFormModel.AgencyKey));
                ModelState.AddModelError(nameof(SettingsFormModel.AgencyKey), Core.NonCustodial.PrivateKeyDetector.Refusal);
            }
            return Redisplay(form);
        }
    }

    private ViewResult Redisplay(SettingsFormModel form)
    {
        ModelState.ShowBoundCheckbox(nameof(SettingsFormModel.AutoApproveClaims), form.AutoApproveClaims);
        return View(form);
    }
}
