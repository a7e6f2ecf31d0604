using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The client's and the freelancer's pages. The token in the path is the only credential: anything wrong with it is a
/// plain 404 that says nothing about whether the contract exists.
/// </summary>
[Route("escrow/p/{token}")]
[AllowAnonymous]
[PublicRateLimit]
[AutoValidateAntiforgeryToken]
public sealed class UIEscrowPartyController(PartyActions parties, CheckoutReturnProof returnProof, TimeProvider clock) : Controller
{
    private const string ErrorKey = "EscrowError";
    private const string NoticeKey = "EscrowNotice";

    [HttpGet("")]
    public async Task<IActionResult> Index(string token, CancellationToken cancellationToken)
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
                Error = TempData[ErrorKey] as string, Notice = TempData[NoticeKey] as string,
            });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    /// <summary>What the page polls to know it is out of date: the audit count rises with every change.</summary>
    [HttpGet("status")]
    public async Task<IActionResult> Status(string token, CancellationToken cancellationToken)
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
    public Task<IActionResult> Accept(string token, string? termsHash, CancellationToken ct) =>
        Act(token, () => parties.AcceptTermsAsync(token, termsHash ?? "", ct), "You accepted the terms.");

    [HttpPost("fund")]
    public async Task<IActionResult> Fund(string token, List<Guid>? milestoneIds, CancellationToken ct)
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
            TempData[ErrorKey] = e.Message;
            return RedirectToAction(nameof(Index), new { token });
        }
    }

    [HttpPost("milestones/{milestoneId:guid}/submit")]
    public Task<IActionResult> Submit(string token, Guid milestoneId, string? message, string? links, string? fileHashes, CancellationToken ct) =>
        Act(token, () => parties.SubmitDeliverableAsync(token, milestoneId, message, Lines(links), Lines(fileHashes), ct), "Your delivery was submitted for review.");

    [HttpPost("milestones/{milestoneId:guid}/changes")]
    public Task<IActionResult> RequestChanges(string token, Guid milestoneId, string? message, CancellationToken ct) =>
        Act(token, () => parties.RequestChangesAsync(token, milestoneId, message, ct), "Your change request was sent.");

    [HttpPost("milestones/{milestoneId:guid}/approve")]
    public Task<IActionResult> Approve(string token, Guid milestoneId, CancellationToken ct) =>
        Act(token, () => parties.ApproveAsync(token, milestoneId, ct), "Approved. The payment to the freelancer is on its way.");

    [HttpPost("milestones/{milestoneId:guid}/cancel-missed")]
    public Task<IActionResult> CancelMissed(string token, Guid milestoneId, CancellationToken ct) =>
        Act(token, () => parties.CancelMissedMilestoneAsync(token, milestoneId, ct), "The milestone was cancelled; what it held is being refunded to you.");

    [HttpPost("milestones/{milestoneId:guid}/dispute")]
    public Task<IActionResult> OpenDispute(string token, Guid milestoneId, string? reason, CancellationToken ct) =>
        Act(token, () => parties.OpenDisputeAsync(token, milestoneId, reason, ct), "The dispute is open.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/message")]
    public Task<IActionResult> PostMessage(string token, Guid milestoneId, string? text, CancellationToken ct) =>
        Act(token, () => parties.PostDisputeMessageAsync(token, milestoneId, text, ct), null);

    [HttpPost("milestones/{milestoneId:guid}/dispute/propose")]
    public Task<IActionResult> ProposeSplit(string token, Guid milestoneId, string? freelancerAmount, string? note, CancellationToken ct) =>
        Act(token, () => parties.ProposeSplitAsync(token, milestoneId, Amounts.ParseAmount(freelancerAmount, "freelancerAmount"), note, ct), "Your proposal was sent.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/proposals/{proposalId:guid}/answer")]
    public Task<IActionResult> AnswerSplit(string token, Guid milestoneId, Guid proposalId, bool accept, CancellationToken ct) =>
        // An answer that does not bind is no answer: it must not count as a rejection (bool's default).
        Act(token, () => ModelState.IsValid ? parties.AnswerSplitAsync(token, milestoneId, proposalId, accept, ct) : throw new InvalidInputException("accept", "Answer the proposal with accept or reject."),
            accept ? "You accepted the split." : "You rejected the proposal.");

    [HttpPost("milestones/{milestoneId:guid}/dispute/escalate")]
    public Task<IActionResult> Escalate(string token, Guid milestoneId, CancellationToken ct) =>
        Act(token, () => parties.EscalateDisputeAsync(token, milestoneId, ct), "The dispute went to the agency.");

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
        catch (EscrowException e)
        {
            TempData[ErrorKey] = e.Message;
        }
        return RedirectToAction(nameof(Index), new { token });
    }

    private string ReturnUrlOf(Guid contractId) =>
        Url.Action(nameof(UIEscrowReturnController.Index), "UIEscrowReturn", new { contractId }, Request.Scheme)!;

    private string ReturnPathOf(Guid contractId) =>
        Url.Action(nameof(UIEscrowReturnController.Index), "UIEscrowReturn", new { contractId })!;

    private static List<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
