using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The store's public "Email me my link" page: a party who lost their link enters their email address, and each of the
/// store's contracts on which it is a party's address gets a fresh link emailed to that address. The page answers the
/// same whether or not the address is known (the work happens in the background), within limits per client and per
/// address.
/// </summary>
[Route("escrow/stores/{storeId}/link")]
[AllowAnonymous]
[PublicRateLimit]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowLinkRequestController(
    IEscrowNotifier notifier, IAgencyNames agencies, LinkRequestQueue queue, LinkRequestLimits limits) : Controller
{
    public const int MaxEmailLength = 254;

    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, bool sent = false, CancellationToken cancellationToken = default) =>
        View(await ModelAsync(storeId, sent, cancellationToken));

    [HttpPost("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, [FromForm] LinkRequestForm form, CancellationToken cancellationToken)
    {
        var model = await ModelAsync(storeId, sent: false, cancellationToken);
        if (!model.CanSend)
            return View(model);
        var email = form.Email?.Trim() ?? "";
        if (email.Length == 0 || email.Length > MaxEmailLength || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(model with { Email = email.Length > MaxEmailLength ? email[..MaxEmailLength] : email, Error = "Enter the email address the agency has for you, like name@example.com." });
        }
        if (!limits.ClientMayAsk(HttpContext.Connection.RemoteIpAddress))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)LinkRequestLimits.ClientWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return View(model with { Email = email, Error = $"Too many requests from your connection. Try again in {(int)LinkRequestLimits.ClientWindow.TotalMinutes} minutes." });
        }
        // Over the address's own limit, or with the queue full, the request is dropped without a word: the answer below
        // is the one every address gets.
        if (limits.AddressMayReceive(storeId, email))
            queue.TryEnqueue(new LinkRequest(storeId, email));
        return RedirectToAction(nameof(Index), new { storeId, sent = true });
    }

    private async Task<LinkRequestPageModel> ModelAsync(string storeId, bool sent, CancellationToken cancellationToken)
    {
        var brand = await agencies.BrandOfAsync(storeId, cancellationToken);
        var canSend = await notifier.CanSendAsync(storeId, cancellationToken);
        return new LinkRequestPageModel(storeId, brand, canSend, sent && canSend);
    }
}
