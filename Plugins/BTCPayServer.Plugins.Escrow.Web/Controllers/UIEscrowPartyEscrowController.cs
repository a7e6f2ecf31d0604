using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The non-custodial part of a party's page: their key, the funding prepared for the pre-signed refund, the refund and
/// the escrow spends to download and sign. Bad input (a key, an address, a PSBT) comes back as a message naming the
/// field, with nothing stored; a token that is wrong in any way is a plain 404.
/// </summary>
[Route("escrow/p/{token}/escrow")]
[AllowAnonymous]
[PublicRateLimit]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowPartyEscrowController(PartyActions parties) : Controller
{
    private const string ErrorKey = "EscrowError";
    private const string NoticeKey = "EscrowNotice";
    /// <summary>A PSBT of an escrow spend is a few kilobytes; anything far larger is not one.</summary>
    public const int MaxUploadBytes = 512 * 1024;

    [HttpPost("key")]
    public Task<IActionResult> SubmitKey([FromRoute] string token, string? key, string? payoutAddress, CancellationToken ct) =>
        Act(token, e => e.SubmitKeyAsync(token, key, payoutAddress, ct), "Your key and payout address were saved. Check the escrow address on your device once it is shown.");

    [HttpPost("milestones/{milestoneId:guid}/funding")]
    public async Task<IActionResult> ProposeFunding([FromRoute] string token, [FromRoute] Guid milestoneId, string? psbt, IFormFile? psbtFile, CancellationToken ct) =>
        await Act(token, async e => await e.ProposeFundingAsync(token, milestoneId, await UploadAsync(psbt, psbtFile, ct), ct),
            "Your prepared funding was accepted. Do not sign or send it yet: the freelancer and the agency now sign your refund.");

    [HttpPost("milestones/{milestoneId:guid}/refund")]
    public async Task<IActionResult> SignRefund([FromRoute] string token, [FromRoute] Guid milestoneId, string? psbt, IFormFile? psbtFile, CancellationToken ct) =>
        await Act(token, async e => await e.SignRefundAsync(token, milestoneId, await UploadAsync(psbt, psbtFile, ct), ct), "Your signature on the refund was accepted.");

    /// <summary>The refund to sign (freelancer) or, once signed, the client's signed refund transaction to keep.</summary>
    [HttpGet("milestones/{milestoneId:guid}/refund")]
    public async Task<IActionResult> DownloadRefund([FromRoute] string token, [FromRoute] Guid milestoneId, CancellationToken ct)
    {
        try
        {
            var (contract, role) = await parties.OpenAsync(token, ct);
            var record = contract.NonCustodial.EscrowOf(milestoneId);
            var number = contract.Milestones.FirstOrDefault(m => m.Id == milestoneId)?.Number;
            if (record?.Refund is null || number is null)
                return NotFound();
            NoStore();
            if (record.SignedRefundHex is { } hex)
                return role == PartyRole.Client
                    ? File(System.Text.Encoding.ASCII.GetBytes(hex), "text/plain", $"escrow-refund-milestone-{number}-signed.txn")
                    : NotFound();
            return File(Convert.FromBase64String(record.Refund.Psbt), "application/octet-stream", $"escrow-refund-milestone-{number}.psbt");
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    [HttpGet("spends/{spendId:guid}")]
    public async Task<IActionResult> DownloadSpend([FromRoute] string token, [FromRoute] Guid spendId, CancellationToken ct)
    {
        try
        {
            var (contract, _) = await parties.OpenAsync(token, ct);
            if (contract.NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) is not { } spend)
                return NotFound();
            NoStore();
            return File(Convert.FromBase64String(spend.Round.Psbt), "application/octet-stream", $"escrow-{spend.Round.Kind.ToString().ToLowerInvariant()}-{spend.Id:N}.psbt");
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    /// <summary>
    /// A signed spend. The second signature completes the transaction and it is broadcast at once, so the upload is
    /// confirmed first with what the transaction pays (the PSBT travels in the confirmation form as base64).
    /// </summary>
    [HttpPost("spends/{spendId:guid}")]
    public async Task<IActionResult> SignSpend([FromRoute] string token, [FromRoute] Guid spendId, string? psbt, IFormFile? psbtFile, string? confirm, CancellationToken ct)
    {
        string upload;
        try
        {
            upload = await UploadAsync(psbt, psbtFile, ct);
        }
        catch (InvalidInputException e)
        {
            TempData[ErrorKey] = e.Message;
            return RedirectToIndex(token);
        }
        if (confirm != "yes")
        {
            try
            {
                var (contract, _) = await parties.OpenAsync(token, ct);
                if (contract.NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) is { Status: EscrowSpendStatus.Collecting } spend)
                {
                    // A bad upload is refused now, before anyone is asked to confirm it.
                    if (spend.Round.Accept(upload) is { IsValid: false } refused)
                    {
                        TempData[ErrorKey] = refused.Problem;
                        return RedirectToIndex(token);
                    }
                    NoStore();
                    return View("~/Views/UIEscrowParty/Confirm.cshtml", new PartyConfirmModel
                    {
                        Token = token, ContractTitle = contract.Title,
                        Heading = "Upload your signature on this transaction?",
                        Figures = EscrowFigures.Outputs(contract, spend),
                        Consequence = spend.Round.SignedBy.Count == 0
                            ? $"Your signature is kept until {spend.Round.StillNeeded()} signs too."
                            : "This signature completes the transaction: it is sent to the network at once and cannot be taken back.",
                        ActionUrl = Request.PathBase + Request.Path, ButtonText = "Yes, upload my signature",
                        Fields = [new("psbt", upload)],
                    });
                }
            }
            catch (ContractNotFoundException)
            {
                return NotFound();
            }
        }
        return await Act(token, async e => await e.SignSpendAsync(token, spendId, upload, ct), "Your signature was accepted.");
    }

    private void NoStore()
    {
        Response.Headers.CacheControl = "no-cache, no-store";
        Response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>The PSBT as text: pasted (base64 or hex), or a file (binary or text).</summary>
    public static async Task<string> UploadAsync(string? text, IFormFile? file, CancellationToken ct)
    {
        if (file is { Length: > 0 })
        {
            if (file.Length > MaxUploadBytes)
                throw new InvalidInputException("psbt", "This file is far larger than a PSBT; choose the .psbt file your wallet saved.");
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            var bytes = buffer.ToArray();
            return bytes.AsSpan().StartsWith("psbt\xff"u8) ? Convert.ToBase64String(bytes) : System.Text.Encoding.UTF8.GetString(bytes).Trim();
        }
        if ((text?.Length ?? 0) > MaxUploadBytes * 2)
            throw new InvalidInputException("psbt", "This is far longer than a PSBT; paste only the PSBT your wallet exported.");
        return text?.Trim() ?? "";
    }

    private async Task<IActionResult> Act(string token, Func<NonCustodialEscrows, Task> act, string notice)
    {
        try
        {
            await parties.OpenAsync(token, HttpContext.RequestAborted);
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        if (NonCustodialServices.Escrows(HttpContext.RequestServices) is not { } escrows)
        {
            TempData[ErrorKey] = "This escrow host has no bitcoin chain connected, so non-custodial escrows cannot be used here.";
            return RedirectToIndex(token);
        }
        try
        {
            await act(escrows);
            TempData[NoticeKey] = notice;
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData[ErrorKey] = e.Message;
        }
        return RedirectToIndex(token);
    }

    private RedirectToActionResult RedirectToIndex(string token) => RedirectToAction(nameof(UIEscrowPartyController.Index), "UIEscrowParty", new { token });
}
