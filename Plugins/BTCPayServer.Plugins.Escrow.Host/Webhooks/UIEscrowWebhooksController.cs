using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Host.Webhooks;

/// <summary>
/// The standalone host's webhook endpoints of a store, with their delivery log. Inside BTCPay the store's own webhooks
/// offer the escrow events instead, so this page lives in the host, not in the shared library.
/// </summary>
[Route("stores/{storeId}/plugins/escrow/webhooks")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[AutoValidateAntiforgeryToken]
[ShortBindingErrors]
public sealed class UIEscrowWebhooksController(IWebhookStore webhooks, TimeProvider clock) : Controller
{
    public const int LogSize = 50;
    private const string SecretKey = "EscrowWebhookSecret";
    private const string MessageKey = "EscrowWebhookMessage";

    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, CancellationToken cancellationToken)
    {
        ViewData["StoreId"] = storeId;
        ViewData["Message"] = TempData[MessageKey];
        ViewData["Webhooks"] = await webhooks.ListAsync(storeId, cancellationToken);
        return View(new WebhookFormModel());
    }

    [HttpPost("")]
    public async Task<IActionResult> Create([FromRoute] string storeId, WebhookFormModel form, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var webhook = WebhookSubscription.Create(storeId, form.Url, form.Secret, form.Enabled, form.AllEvents, form.EventTypes, clock.GetUtcNow());
                await webhooks.AddAsync(webhook, cancellationToken);
                if (string.IsNullOrWhiteSpace(form.Secret))
                    TempData[SecretKey] = webhook.Secret;
                TempData[MessageKey] = "Webhook added.";
                return RedirectToAction(nameof(Edit), new { storeId, webhookId = webhook.Id });
            }
            catch (EscrowException e)
            {
                ModelState.AddEscrowError(e);
            }
        }
        ViewData["StoreId"] = storeId;
        ViewData["Webhooks"] = await webhooks.ListAsync(storeId, cancellationToken);
        ShowBoundCheckboxes(form);
        return View(nameof(Index), form);
    }

    [HttpGet("{webhookId}")]
    public async Task<IActionResult> Edit([FromRoute] string storeId, [FromRoute] string webhookId, CancellationToken cancellationToken)
    {
        var webhook = await webhooks.FindAsync(storeId, webhookId, cancellationToken);
        if (webhook is null)
            return NotFound();
        return await EditView(storeId, webhook, WebhookFormModel.From(webhook), cancellationToken);
    }

    [HttpPost("{webhookId}")]
    public async Task<IActionResult> Edit([FromRoute] string storeId, [FromRoute] string webhookId, WebhookFormModel form, CancellationToken cancellationToken)
    {
        var webhook = await webhooks.FindAsync(storeId, webhookId, cancellationToken);
        if (webhook is null)
            return NotFound();
        if (ModelState.IsValid)
        {
            try
            {
                string? generated = null;
                await webhooks.UpdateAsync(storeId, webhookId, w =>
                {
                    w.Update(form.Url, form.Secret, form.Enabled, form.AllEvents, form.EventTypes);
                    if (form.RegenerateSecret)
                    {
                        w.RegenerateSecret();
                        generated = w.Secret;
                    }
                }, cancellationToken);
                if (generated is not null)
                    TempData[SecretKey] = generated;
                TempData[MessageKey] = "Webhook saved.";
                return RedirectToAction(nameof(Edit), new { storeId, webhookId });
            }
            catch (EscrowException e)
            {
                ModelState.AddEscrowError(e);
            }
        }
        ShowBoundCheckboxes(form);
        return await EditView(storeId, webhook, form, cancellationToken);
    }

    [HttpPost("{webhookId}/delete")]
    public async Task<IActionResult> Delete([FromRoute] string storeId, [FromRoute] string webhookId, CancellationToken cancellationToken)
    {
        if (!await webhooks.DeleteAsync(storeId, webhookId, cancellationToken))
            return NotFound();
        TempData[MessageKey] = "Webhook deleted.";
        return RedirectToAction(nameof(Index), new { storeId });
    }

    /// <summary>As BTCPay does: the original payload again, under a new delivery id, marked as a redelivery.</summary>
    [HttpPost("{webhookId}/deliveries/{deliveryId}/redeliver")]
    public async Task<IActionResult> Redeliver([FromRoute] string storeId, [FromRoute] string webhookId, [FromRoute] string deliveryId, CancellationToken cancellationToken)
    {
        var delivery = await webhooks.FindDeliveryAsync(storeId, webhookId, deliveryId, cancellationToken);
        if (delivery is null)
            return NotFound();
        var again = delivery.Redeliver(clock.GetUtcNow());
        await webhooks.AddDeliveriesAsync([again], cancellationToken);
        TempData[MessageKey] = $"Delivery {delivery.Id} queued again as {again.Id}.";
        return RedirectToAction(nameof(Edit), new { storeId, webhookId });
    }

    private void ShowBoundCheckboxes(WebhookFormModel form)
    {
        ModelState.ShowBoundCheckbox(nameof(form.Enabled), form.Enabled);
        ModelState.ShowBoundCheckbox(nameof(form.AllEvents), form.AllEvents);
        ModelState.ShowBoundCheckbox(nameof(form.RegenerateSecret), form.RegenerateSecret);
    }

    private async Task<IActionResult> EditView(string storeId, WebhookSubscription webhook, WebhookFormModel form, CancellationToken cancellationToken)
    {
        ViewData["StoreId"] = storeId;
        ViewData["Webhook"] = webhook;
        ViewData["Message"] = TempData[MessageKey];
        ViewData["Secret"] = TempData[SecretKey];
        ViewData["Deliveries"] = await webhooks.RecentDeliveriesAsync(storeId, webhook.Id, LogSize, cancellationToken);
        return View(nameof(Edit), form);
    }
}
