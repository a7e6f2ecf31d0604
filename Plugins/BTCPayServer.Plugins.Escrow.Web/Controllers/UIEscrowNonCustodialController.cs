using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The agency's signatures on a non-custodial contract: the pre-signed refund and the escrow spends that need the
/// agency's key (client refunds, rulings). The agency signs in its own wallet; the server never holds its key.
/// </summary>
[Route("stores/{storeId}/plugins/escrow/contracts/{contractId:guid}/escrow")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowNonCustodialController(IContractStoreFactory stores) : Controller
{
    private const string ErrorKey = "EscrowError";

    [HttpGet("milestones/{milestoneId:guid}/refund")]
    public async Task<IActionResult> DownloadRefund([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, CancellationToken ct)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, ct);
        var record = contract?.NonCustodial.EscrowOf(milestoneId);
        var number = contract?.Milestones.FirstOrDefault(m => m.Id == milestoneId)?.Number;
        if (record?.Refund is null || number is null)
            return NotFound();
        return File(Convert.FromBase64String(record.Refund.Psbt), "application/octet-stream", $"escrow-refund-milestone-{number}.psbt");
    }

    [HttpPost("milestones/{milestoneId:guid}/refund")]
    public async Task<IActionResult> SignRefund([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, string? psbt, IFormFile? psbtFile, CancellationToken ct) =>
        await Act(storeId, contractId, async e => await e.SignRefundAsync(storeId, contractId, milestoneId, User.ToAgencyActor(),
            await UIEscrowPartyEscrowController.UploadAsync(psbt, psbtFile, ct), ct));

    [HttpGet("spends/{spendId:guid}")]
    public async Task<IActionResult> DownloadSpend([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid spendId, CancellationToken ct)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, ct);
        if (contract?.NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) is not { } spend)
            return NotFound();
        return File(Convert.FromBase64String(spend.Round.Psbt), "application/octet-stream", $"escrow-{spend.Round.Kind.ToString().ToLowerInvariant()}-{spend.Id:N}.psbt");
    }

    /// <summary>The page's form asks for a ticked confirmation: a second signature sends the transaction at once.</summary>
    [HttpPost("spends/{spendId:guid}")]
    public async Task<IActionResult> SignSpend([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid spendId, string? psbt, IFormFile? psbtFile, string? confirm, CancellationToken ct) =>
        await Act(storeId, contractId, async e =>
        {
            if (confirm != "yes")
                throw new InvalidInputException("confirm", "Tick the confirmation: with the other signature this transaction is sent at once and cannot be taken back.");
            await e.SignSpendAsync(storeId, contractId, spendId, User.ToAgencyActor(), await UIEscrowPartyEscrowController.UploadAsync(psbt, psbtFile, ct), ct);
        });

    /// <summary>
    /// Opens the return of a milestone's unexpected coins (paid to its escrow address by another transaction than the
    /// prepared funding) to the client, for client and agency to sign. The form asks for a ticked confirmation.
    /// </summary>
    [HttpPost("milestones/{milestoneId:guid}/return")]
    public async Task<IActionResult> ReturnUnexpected([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, string? confirm, CancellationToken ct) =>
        await Act(storeId, contractId, async e =>
        {
            if (confirm != "yes")
                throw new InvalidInputException("confirm", "Tick the confirmation to prepare the return to the client.");
            await e.ReturnUnexpectedAsync(storeId, contractId, milestoneId, User.ToAgencyActor(), ct);
        });

    private async Task<IActionResult> Act(string storeId, Guid contractId, Func<NonCustodialEscrows, Task> act)
    {
        // Another store's (or no) contract is "not found" before anything else is said about it.
        await using (var store = stores.Open())
            if (await store.FindInStoreAsync(storeId, contractId, HttpContext.RequestAborted) is null)
                return NotFound();
        if (NonCustodialServices.Escrows(HttpContext.RequestServices) is not { } escrows)
        {
            TempData[ErrorKey] = "This escrow host has no bitcoin chain connected, so non-custodial escrows cannot be used here.";
            return RedirectToAction(nameof(UIEscrowContractsController.Details), "UIEscrowContracts", new { storeId, contractId });
        }
        try
        {
            await act(escrows);
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData[ErrorKey] = e.Message;
        }
        return RedirectToAction(nameof(UIEscrowContractsController.Details), "UIEscrowContracts", new { storeId, contractId });
    }
}
