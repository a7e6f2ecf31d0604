using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// Where checkout sends a paying browser back. The address is handed to the payment gateway (BTCPay stores it on the
/// invoice, where store staff and webhooks see it), so it names only the contract and carries no token. The browser that
/// clicked <i>Fund</i> carries a cookie with its token (<see cref="CheckoutReturnProof"/>) and goes on to its party page;
/// any other visitor gets a page that says nothing about the contract.
/// </summary>
[Route("escrow/return/{contractId:guid}")]
[AllowAnonymous]
[PublicRateLimit]
public sealed class UIEscrowReturnController(CheckoutReturnProof proof, PartyActions parties) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        Response.Headers["Referrer-Policy"] = "no-referrer";
        if (proof.TokenFor(Request, contractId) is { } token)
        {
            try
            {
                var (contract, _) = await parties.OpenAsync(token, cancellationToken);
                if (contract.Id == contractId)
                    return RedirectToAction(nameof(UIEscrowPartyController.Index), "UIEscrowParty", new { token });
            }
            catch (ContractNotFoundException)
            {
                // The link was rotated or revoked since: the neutral page, as for anyone else.
            }
        }
        return View();
    }
}
