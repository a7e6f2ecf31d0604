using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The client's and the freelancer's pages. The token in the path is the only credential: anything wrong with it is a
/// plain 404 that says nothing about whether the contract exists.
/// </summary>
[Route("escrow/p/{token}")]
[AllowAnonymous]
[PublicRateLimit]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowPartyController(
    PartyActions parties, IAgencyNames agencies, IAuditLog auditLog, CheckoutReturnProof returnProof, IPublicAddress publicAddress, TimeProvider clock, ILogger<UIEscrowPartyController> log) : Controller
{
    private const string ErrorKey = "EscrowError";
    private const string NoticeKey = "EscrowNotice";

    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string token, int thread = 1, CancellationToken cancellationToken = default)
    {
        try
        {
            var (contract, role) = await parties.OpenAsync(token, cancellationToken);
            // "no-cache, no-store" is also what the page's antiforgery tokens require; "no-store" alone makes it log a warning per view.
            Response.Headers.CacheControl = "no-cache, no-store";
            Response.Headers["Referrer-Policy"] = "no-referrer";
            return View(new PartyPageModel
            {
                Token = token, Contract = contract, Role = role, Now = clock.GetUtcNow(),
                Error = TempData[ErrorKey] as string, Notice = TempData[NoticeKey] as string, Thread = thread,
                Brand = await agencies.BrandOfAsync(contract.StoreId, cancellationToken),
                History = await auditLog.ReadAsync(contract.Id, cancellationToken),
                Chain = contract.IsNonCustodial ? await NonCustodialServices.ChainNowAsync(HttpContext.RequestServices, contract.StoreId, cancellationToken) : EscrowChainNow.Unknown,
            });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    /// <summary>What the page polls to know it is out of date: the audit count rises with every change.</summary>
    [HttpGet("status")]
    [PollingEndpoint]
    public async Task<IActionResult> Status([FromRoute] string token, CancellationToken cancellationToken)
    {
        try
        {
            var (contract, _) = await parties.OpenAsync(token, cancellationToken);
            Response.Headers.CacheControl = "no-store";
            return Json(new { version = contract.AuditCount, state = contract.State.ToString(), milestones = contract.Milestones.OrderBy(m => m.Number).Select(m => m.State.ToString()) });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    [HttpPost("accept")]
    public Task<IActionResult> Accept([FromRoute] string token, string? termsHash, CancellationToken ct) =>
        Act(token, () => parties.AcceptTermsAsync(token, termsHash ?? "", ct), "You accepted the terms.");

    [HttpPost("fund")]
    public async Task<IActionResult> Fund([FromRoute] string token, List<Guid>? milestoneIds, CancellationToken ct)
    {
        try
        {
            // Checkout (and whoever reads the invoice in the gateway) gets a token-free address; this browser gets the proof.
            var funding = await parties.FundAsync(token, milestoneIds ?? [], ReturnUrlOf, ct);
            returnProof.Issue(Response, ReturnPathOf(funding.ContractId), funding.ContractId, funding.Role, token);
            return Redirect(funding.CheckoutLink);
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            if (e is ConcurrencyConflictException conflict)
                LogConflict(conflict);
            TempData[ErrorKey] = e.Message;
            return RedirectToAction(nameof(Index), new { token });
        }
    }

    [HttpPost("milestones/{milestoneId:guid}/submit")]
    public Task<IActionResult> Submit([FromRoute] string token, [FromRoute] Guid milestoneId, string? message, string? links, string? fileHashes, CancellationToken ct) =>
        Act(token, () => parties.SubmitDeliverableAsync(token, milestoneId, message, Lines(links), Lines(fileHashes), ct), "Your delivery was submitted for review.");

    [HttpPost("milestones/{milestoneId:guid}/changes")]
    public Task<IActionResult> RequestChanges([FromRoute] string token, [FromRoute] Guid milestoneId, string? message, CancellationToken ct) =>
        Act(token, () => parties.RequestChangesAsync(token, milestoneId, message, ct), "Your change request was sent.");

    [HttpPost("milestones/{milestoneId:guid}/approve")]
    public async Task<IActionResult> Approve([FromRoute] string token, [FromRoute] Guid milestoneId, string? confirm, CancellationToken ct) =>
        await ConfirmFirst(token, confirm, ct, (c, role) => PartyConfirmations.Approve(c, role, milestoneId))
        ?? await Act(token, async () =>
        {
            await parties.ApproveAsync(token, milestoneId, ct);
            // A non-custodial release moves only once signed: the notice says so instead of "on its way".
            var (contract, _) = await parties.OpenAsync(token, ct);
            TempData[NoticeKey] = contract.IsNonCustodial
                ? "Approved. The release transaction is being prepared: you and the freelancer each sign it in your wallet (see below)."
                : "Approved. The payment to the freelancer is on its way.";
        }, null);

    [HttpPost("milestones/{milestoneId:guid}/cancel-missed")]
    public async Task<IActionResult> CancelMissed([FromRoute] string token, [FromRoute] Guid milestoneId, string? confirm, CancellationToken ct) =>
        await ConfirmFirst(token, confirm, ct, (c, role) => PartyConfirmations.CancelMissed(c, role, milestoneId, clock.GetUtcNow()))
        ?? await Act(token, () => parties.CancelMissedMilestoneAsync(token, milestoneId, ct), "The milestone was cancelled; what it held is being refunded to you.");

    [HttpPost("milestones/{milestoneId:guid}/dispute")]
    public Task<IActionResult> OpenDispute([FromRoute] string token, [FromRoute] Guid milestoneId, string? reason, CancellationToken ct) =>
        Act(token, () => parties.OpenDisputeAsync(token, milestoneId, reason, ct), "The dispute is open.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/message")]
    public Task<IActionResult> PostMessage([FromRoute] string token, [FromRoute] Guid milestoneId, string? text, CancellationToken ct) =>
        Act(token, () => parties.PostDisputeMessageAsync(token, milestoneId, text, ct), null);

    [HttpPost("milestones/{milestoneId:guid}/dispute/propose")]
    public Task<IActionResult> ProposeSplit([FromRoute] string token, [FromRoute] Guid milestoneId, string? freelancerAmount, string? note, CancellationToken ct) =>
        Act(token, () => parties.ProposeSplitAsync(token, milestoneId, Amounts.ParseAmount(freelancerAmount, "freelancerAmount"), note, ct), "Your proposal was sent.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/proposals/{proposalId:guid}/answer")]
    public async Task<IActionResult> AnswerSplit([FromRoute] string token, [FromRoute] Guid milestoneId, [FromRoute] Guid proposalId, bool accept, string? confirm, CancellationToken ct) =>
        (ModelState.IsValid && accept ? await ConfirmFirst(token, confirm, ct, (c, role) => PartyConfirmations.AcceptSplit(c, role, milestoneId, proposalId)) : null)
        // An answer that does not bind is no answer: it must not count as a rejection (bool's default).
        ?? await Act(token, () => ModelState.IsValid ? parties.AnswerSplitAsync(token, milestoneId, proposalId, accept, ct) : throw new InvalidInputException("accept", "Answer the proposal with accept or reject."),
            accept ? "You accepted the split." : "You rejected the proposal.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/escalate")]
    public Task<IActionResult> Escalate([FromRoute] string token, [FromRoute] Guid milestoneId, CancellationToken ct) =>
        Act(token, () => parties.EscalateDisputeAsync(token, milestoneId, ct), "The dispute went to the agency.");

    /// <summary>
    /// Without confirm=yes, an act that moves money or cannot be undone answers with its confirmation page (and changes
    /// nothing). When the act could not happen anyway, the act itself runs and answers with its usual error.
    /// </summary>
    private async Task<IActionResult?> ConfirmFirst(string token, string? confirm, CancellationToken ct, Func<Core.Contracts.Contract, Core.Contracts.PartyRole, PartyConfirmation?> describe)
    {
        if (confirm == "yes")
            return null;
        try
        {
            var (contract, role) = await parties.OpenAsync(token, ct);
            if (describe(contract, role) is not { } what)
                return null;
            Response.Headers.CacheControl = "no-cache, no-store";
            Response.Headers["Referrer-Policy"] = "no-referrer";
            return View("Confirm", new PartyConfirmModel
            {
                Token = token, ContractTitle = contract.Title, Heading = what.Heading, Figures = what.Figures, Consequence = what.Consequence,
                ActionUrl = Request.PathBase + Request.Path, ButtonText = what.Button, Fields = what.Fields,
            });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    private async Task<IActionResult> Act(string token, Func<Task> act, string? notice)
    {
        try
        {
            await act();
            if (notice is not null)
                TempData[NoticeKey] = notice;
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (ConcurrencyConflictException e)
        {
            LogConflict(e);
            TempData[ErrorKey] = e.Message;
        }
        catch (EscrowException e)
        {
            TempData[ErrorKey] = e.Message;
        }
        return RedirectToAction(nameof(Index), new { token });
    }

    /// <summary>Expected when two acts on one contract cross (two tabs, the worker): one line, and the party tries again.</summary>
    private void LogConflict(ConcurrencyConflictException e) =>
        log.LogInformation("A party act on contract {ContractId} crossed another change and was not saved; the party was asked to try again", e.ContractId);

    // The way back from checkout is stored on the invoice: built on the configured public address, never the request's host.
    private string ReturnUrlOf(Guid contractId) =>
        publicAddress.BaseUrl() + ReturnPathOf(contractId)[(Request.PathBase.Value ?? "").Length..];

    private string ReturnPathOf(Guid contractId) =>
        Url.Action(nameof(UIEscrowReturnController.Index), "UIEscrowReturn", new { contractId })!;

    private static List<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
