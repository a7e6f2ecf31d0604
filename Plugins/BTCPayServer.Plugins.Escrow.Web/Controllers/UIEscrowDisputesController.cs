using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>The agency's dispute queue and ruling form.</summary>
[Route("stores/{storeId}/plugins/escrow/disputes")]
[Authorize(Policy = EscrowPolicies.ArbitrateDisputes)]
[AutoValidateAntiforgeryToken]
[ShortBindingErrors]
public sealed class UIEscrowDisputesController(IContractStoreFactory stores, IContractQueries queries, AgencyDecisions decisions, IAuthorizationService authorization) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, CancellationToken cancellationToken) =>
        View(new DisputeQueueModel(storeId, await queries.ListActiveDisputesAsync(storeId, cancellationToken)));

    [HttpGet("{contractId:guid}/{milestoneId:guid}")]
    public async Task<IActionResult> Rule([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, int thread = 1, CancellationToken cancellationToken = default)
    {
        var model = await Load(storeId, contractId, milestoneId, new RulingForm(), cancellationToken);
        return model is null ? NotFound() : View(model with { Thread = thread });
    }

    [HttpPost("{contractId:guid}/{milestoneId:guid}")]
    public async Task<IActionResult> Rule([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, RulingForm form, string? confirm, CancellationToken cancellationToken)
    {
        var model = await Load(storeId, contractId, milestoneId, form, cancellationToken);
        if (model is null)
            return NotFound();
        // A unit that does not bind would fall back to Percent and turn an amount into a percent: show the error instead.
        if (!ModelState.IsValid)
            return View(model);
        try
        {
            var amount = form.ToFreelancerAmount(model.Milestone.Amount);
            // A ruling is final: first show what it pays to whom, and rule only when that is confirmed.
            if (!ConfirmActModel.IsConfirmed(confirm) && model.Dispute.Status == DisputeStatus.Escalated)
                return View("~/Views/UIEscrowContracts/Confirm.cshtml", Confirmation(model, amount, form));
            await decisions.RuleOnDisputeAsync(storeId, contractId, milestoneId, amount, form.Reason, User.ToAgencyActor(), cancellationToken);
            // An arbiter who may not open contracts goes back to the queue, not to a page that refuses them.
            return (await authorization.AuthorizeAsync(User, storeId, EscrowPolicies.ManageContracts)).Succeeded
                ? RedirectToAction("Details", "UIEscrowContracts", new { storeId, contractId })
                : RedirectToAction(nameof(Index), new { storeId });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            ModelState.AddEscrowError(e, "Form");
            return View(model);
        }
    }

    [HttpPost("{contractId:guid}/{milestoneId:guid}/escalate")]
    public async Task<IActionResult> Escalate([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, CancellationToken cancellationToken)
    {
        try
        {
            await decisions.EscalateDisputeAsync(storeId, contractId, milestoneId, User.ToAgencyActor(), cancellationToken);
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData["EscrowError"] = e.Message;
        }
        return RedirectToAction(nameof(Rule), new { storeId, contractId, milestoneId });
    }

    private ConfirmActModel Confirmation(RulingPageModel model, decimal freelancerAmount, RulingForm form)
    {
        var (contract, milestone) = (model.Contract, model.Milestone);
        var settlement = SettlementCalculator.Settle(milestone, Money.Of(freelancerAmount, milestone.Amount.Currency, "freelancerShare"), contract.Fee, contract.Fx);
        var btc = contract.Fx == FxPolicy.BtcLocked && contract.Currency != "BTC";
        string Paid(Money value, Money payout) => btc ? $"{value} (paid as {payout})" : value.ToString();
        var effects = new List<string>
        {
            settlement.ReleaseNet.IsPositive ? $"Release {Paid(settlement.ReleaseNet, settlement.ReleasePayout)} to {contract.Freelancer.Name} (freelancer)." : $"Release nothing to {contract.Freelancer.Name} (freelancer).",
            settlement.Refund.IsPositive ? $"Refund {Paid(settlement.Refund, settlement.RefundPayout)} to {contract.Client.Name} (client)." : $"Refund nothing to {contract.Client.Name} (client).",
        };
        if (settlement.Fee.IsPositive)
            effects.Add($"The agency keeps {Paid(settlement.Fee, settlement.FeeKept)} fee.");
        effects.Add($"Milestone {milestone.Number} is closed by this ruling; it is final and cannot be undone.");
        effects.Add($"Reason shown to both parties: {form.Reason?.Trim()}");
        var url = Url.Action(nameof(Rule), new { storeId = model.StoreId, contractId = contract.Id, milestoneId = milestone.Id }) ?? "";
        return new ConfirmActModel($"Rule on milestone {milestone.Number}", contract.Title, effects, url, "Rule (final)",
            [new("Form.Unit", form.Unit.ToString()), new("Form.FreelancerShare", form.FreelancerShare ?? ""), new("Form.Reason", form.Reason ?? "")], url);
    }

    private async Task<RulingPageModel?> Load(string storeId, Guid contractId, Guid milestoneId, RulingForm form, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        var milestone = contract?.Milestones.FirstOrDefault(m => m.Id == milestoneId);
        var dispute = contract?.Disputes.Where(d => d.MilestoneId == milestoneId).LastOrDefault();
        if (contract is null || milestone is null || dispute is null)
            return null;
        return new RulingPageModel(storeId, contract, milestone, dispute, form, TempData["EscrowError"] as string);
    }
}
