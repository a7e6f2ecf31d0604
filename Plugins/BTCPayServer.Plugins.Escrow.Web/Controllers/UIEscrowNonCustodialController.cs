using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
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
public sealed class UIEscrowNonCustodialController(IContractStoreFactory stores, TimeProvider clock) : Controller
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

    /// <summary>
    /// The agency's signature on a pre-signed refund: a signature cannot be taken back, so the upload is shown first
    /// with what the refund pays and from which block, and signed only with <c>confirm=yes</c>.
    /// </summary>
    [HttpPost("milestones/{milestoneId:guid}/refund")]
    public async Task<IActionResult> SignRefund([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, string? psbt, IFormFile? psbtFile, string? confirm, CancellationToken ct)
    {
        if (!ConfirmActModel.IsConfirmed(confirm))
        {
            var (contract, upload, answer) = await ToConfirmAsync(storeId, contractId, psbt, psbtFile, ct);
            if (answer is not null)
                return answer;
            if (contract!.NonCustodial.EscrowOf(milestoneId) is { Refund: { } round, RefundReady: false } escrow)
            {
                var chain = await NonCustodialServices.ChainNowAsync(HttpContext.RequestServices, storeId, ct);
                return Confirmation(contract, round, upload!, EscrowSpendBreakdown.Of(contract, round, [], escrow),
                    $"Sign the refund of milestone {contract.Milestones.FirstOrDefault(m => m.Id == milestoneId)?.Number} with the agency's key?",
                    $"The refund is {chain.RefundValidity(escrow.RefundHeight, clock.GetUtcNow())}. A signature cannot be taken back: once the freelancer and the agency have signed, the client holds a refund it can send from that block on, if the milestone was never released.");
            }
        }
        return await Act(storeId, contractId, async e => await e.SignRefundAsync(storeId, contractId, milestoneId, User.ToAgencyActor(),
            await UIEscrowPartyEscrowController.UploadAsync(psbt, psbtFile, ct), ct));
    }

    [HttpGet("spends/{spendId:guid}")]
    public async Task<IActionResult> DownloadSpend([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid spendId, CancellationToken ct)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, ct);
        if (contract?.NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) is not { } spend)
            return NotFound();
        return File(Convert.FromBase64String(spend.Round.Psbt), "application/octet-stream", $"escrow-{spend.Round.Kind.ToString().ToLowerInvariant()}-{spend.Id:N}.psbt");
    }

    /// <summary>
    /// The agency's signature on an escrow spend. A second signature sends the transaction at once, so the upload is
    /// shown first with what the transaction pays (each output, who it is, the network fee), and signed only with
    /// <c>confirm=yes</c>; the PSBT travels in the confirmation form.
    /// </summary>
    [HttpPost("spends/{spendId:guid}")]
    public async Task<IActionResult> SignSpend([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid spendId, string? psbt, IFormFile? psbtFile, string? confirm, CancellationToken ct)
    {
        if (!ConfirmActModel.IsConfirmed(confirm))
        {
            var (contract, upload, answer) = await ToConfirmAsync(storeId, contractId, psbt, psbtFile, ct);
            if (answer is not null)
                return answer;
            if (contract!.NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) is { Status: EscrowSpendStatus.Collecting } spend)
                return Confirmation(contract, spend.Round, upload!, EscrowSpendBreakdown.Of(contract, spend),
                    $"Sign the {EscrowFigures.Kind(spend.Round.Kind)} transaction of milestone {contract.Milestones.FirstOrDefault(m => m.Id == spend.MilestoneId)?.Number} with the agency's key?",
                    spend.Round.SignedBy.Count == 0
                        ? $"The agency's signature is kept until {spend.Round.StillNeeded()} signs too; then the transaction is sent to the network at once and cannot be taken back."
                        : "This signature completes the transaction: it is sent to the network at once and cannot be taken back.");
        }
        return await Act(storeId, contractId, async e => await e.SignSpendAsync(storeId, contractId, spendId, User.ToAgencyActor(),
            await UIEscrowPartyEscrowController.UploadAsync(psbt, psbtFile, ct), ct));
    }

    /// <summary>
    /// Before a confirmation: the contract (another store's is "not found" first) and the uploaded PSBT as text, or the
    /// answer that ends the request (an upload too large to be a PSBT goes back to the page with the reason).
    /// </summary>
    private async Task<(Contract? Contract, string? Upload, IActionResult? Answer)> ToConfirmAsync(string storeId, Guid contractId, string? psbt, IFormFile? psbtFile, CancellationToken ct)
    {
        await using var store = stores.Open();
        if (await store.FindInStoreAsync(storeId, contractId, ct) is not { } contract)
            return (null, null, NotFound());
        try
        {
            return (contract, await UIEscrowPartyEscrowController.UploadAsync(psbt, psbtFile, ct), null);
        }
        catch (InvalidInputException e)
        {
            TempData[ErrorKey] = e.Message;
            return (null, null, Back(storeId, contractId));
        }
    }

    /// <summary>
    /// What the agency is about to sign. An upload the round refuses is refused now, before anyone is asked to confirm
    /// it; the round is the stored one, so the figures are the transaction's, never what the upload claims.
    /// </summary>
    private IActionResult Confirmation(Contract contract, SigningRound round, string upload, EscrowSpendBreakdown breakdown, string heading, string consequence)
    {
        if (round.Accept(upload) is { IsValid: false } refused)
        {
            TempData[ErrorKey] = refused.Problem;
            return Back(contract.StoreId, contract.Id);
        }
        var back = Url.Action(nameof(UIEscrowContractsController.Details), "UIEscrowContracts", new { storeId = contract.StoreId, contractId = contract.Id }) ?? "";
        return View("~/Views/UIEscrowContracts/Confirm.cshtml", new ConfirmActModel(heading, contract.Title,
            [.. EscrowFigures.Outputs(breakdown, round), consequence], Request.PathBase + Request.Path, "Yes, sign with the agency's key",
            [new("psbt", upload)], back));
    }

    private RedirectToActionResult Back(string storeId, Guid contractId) =>
        RedirectToAction(nameof(UIEscrowContractsController.Details), "UIEscrowContracts", new { storeId, contractId });

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
            return Back(storeId, contractId);
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
        return Back(storeId, contractId);
    }
}
