using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>The agency's contract pages. Every contract is looked up within the route's store: another store's is a 404.</summary>
[Route("stores/{storeId}/plugins/escrow")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[AutoValidateAntiforgeryToken]
[ShortBindingErrors]
public sealed class UIEscrowContractsController(
    IContractStoreFactory stores, IContractQueries queries, IAuditLog auditLog, ContractDrafting drafting, AgencyDecisions decisions,
    IStoreSettingsStore settings, IPublicAddress publicAddress, LinkGenerator linkGenerator, TimeProvider clock) : Controller
{
    private const string ErrorKey = "EscrowError";
    private const string LinksKey = "EscrowIssuedLinks";

    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] string storeId, ContractState? state, string? search, int page = 1, CancellationToken cancellationToken = default)
    {
        var query = new ContractListQuery(storeId, state, search?.Trim() is { Length: > 0 and <= 200 } s ? s : null, Math.Max(1, page));
        return View(new ContractListModel { StoreId = storeId, Page = await queries.ListContractsAsync(query, cancellationToken), State = state, Search = search });
    }

    [HttpGet("contracts/new")]
    public async Task<IActionResult> Create([FromRoute] string storeId, CancellationToken cancellationToken) =>
        View("Edit", new ContractEditModel { StoreId = storeId, Form = SettingsFormModel.NewContract(await settings.GetAsync(storeId, cancellationToken)) });

    [HttpPost("contracts/new")]
    public async Task<IActionResult> Create([FromRoute] string storeId, ContractFormModel form, CancellationToken cancellationToken)
    {
        try
        {
            // A value that did not even bind (a date or number that is not one) is refused, never replaced by a default.
            if (ModelState.IsValid)
            {
                var id = await drafting.CreateDraftAsync(storeId, form.ToTerms(), User.ToAgencyActor(), cancellationToken, form.Custody);
                return RedirectToAction(nameof(Details), new { storeId, contractId = id });
            }
        }
        catch (EscrowException e)
        {
            ModelState.AddEscrowError(e, "Form");
        }
        return View("Edit", new ContractEditModel { StoreId = storeId, Form = form });
    }

    [HttpGet("contracts/{contractId:guid}")]
    public async Task<IActionResult> Details([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        if (contract is null)
            return NotFound();
        // The stored chain against the head the row recorded, as the receipt checks it; a failure is kept on the row,
        // so the list flags the contract and no money moves for it.
        var (timeline, verification) = await new AuditReceipt(auditLog).ReadVerifiedAsync(contractId, cancellationToken);
        if (!verification.IsValid && contract.AuditProblem is null)
            await AuditGuard.RecordAsync(store, contractId, verification, cancellationToken);
        var links = TempData[LinksKey] is string json ? JsonSerializer.Deserialize<List<IssuedLink>>(json) ?? [] : [];
        ViewData[ErrorKey] = TempData[ErrorKey];
        return View(new ContractDetailsModel
        {
            StoreId = storeId,
            Contract = contract,
            Timeline = timeline,
            Verification = verification,
            IssuedLinks = links,
            Now = clock.GetUtcNow(),
            Chain = contract.IsNonCustodial ? await NonCustodialServices.ChainNowAsync(HttpContext.RequestServices, storeId, cancellationToken) : EscrowChainNow.Unknown,
        });
    }

    [HttpGet("contracts/{contractId:guid}/edit")]
    public async Task<IActionResult> Edit([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        if (contract is null)
            return NotFound();
        return View(new ContractEditModel { StoreId = storeId, ContractId = contractId, State = contract.State, Form = WithCustody(ContractFormModel.From(contract.CurrentTerms()), contract.Custody) });
    }

    [HttpPost("contracts/{contractId:guid}/edit")]
    public async Task<IActionResult> Edit([FromRoute] string storeId, [FromRoute] Guid contractId, ContractFormModel form, CancellationToken cancellationToken)
    {
        try
        {
            if (ModelState.IsValid)
            {
                await drafting.ChangeTermsAsync(storeId, contractId, form.ToTerms(), form.Custody, User.ToAgencyActor(), cancellationToken);
                return RedirectToAction(nameof(Details), new { storeId, contractId });
            }
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            ModelState.AddEscrowError(e, "Form");
        }
        // Refused input never makes another store's (or an unknown) contract look like it exists.
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        if (contract is null)
            return NotFound();
        return View(new ContractEditModel { StoreId = storeId, ContractId = contractId, State = contract.State, Form = form });
    }

    [HttpPost("contracts/{contractId:guid}/propose")]
    public Task<IActionResult> Propose([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken) =>
        Act(storeId, contractId, async () =>
        {
            // The links are made from the configured address: without one, nothing is issued that could not be shown.
            var baseUrl = publicAddress.BaseUrl();
            var issued = await drafting.ProposeAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken);
            ShowLinks(baseUrl, new (PartyRole, string?)[] { (PartyRole.Client, issued.ClientToken), (PartyRole.Freelancer, issued.FreelancerToken) });
        });

    [HttpPost("contracts/{contractId:guid}/withdraw")]
    public Task<IActionResult> Withdraw([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken) =>
        Act(storeId, contractId, () => drafting.WithdrawAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken));

    [HttpPost("contracts/{contractId:guid}/cancel")]
    public async Task<IActionResult> Cancel([FromRoute] string storeId, [FromRoute] Guid contractId, string? reason, string? confirm, CancellationToken cancellationToken) =>
        await ConfirmFirstAsync(storeId, contractId, confirm, c => c.State is ContractState.Draft or ContractState.Proposed or ContractState.Active
                ? Confirmation(c, "Cancel the contract and refund what is held", CancelEffects(c, reason), "Cancel contract and refund", [new("reason", reason ?? "")])
                : null, cancellationToken)
            ?? await Act(storeId, contractId, () => drafting.CancelAsync(storeId, contractId, reason, User.ToAgencyActor(), cancellationToken));

    [HttpPost("contracts/{contractId:guid}/clone")]
    public async Task<IActionResult> Clone([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        try
        {
            var id = await drafting.CloneAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken);
            return RedirectToAction(nameof(Edit), new { storeId, contractId = id });
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }

    [HttpPost("contracts/{contractId:guid}/links/{role}/rotate")]
    public Task<IActionResult> RotateLink([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] PartyRole role, CancellationToken cancellationToken) =>
        Act(storeId, contractId, async () =>
        {
            EnsureRole(role);
            var baseUrl = publicAddress.BaseUrl();
            var token = await drafting.RotatePartyLinkAsync(storeId, contractId, role, User.ToAgencyActor(), cancellationToken);
            ShowLinks(baseUrl, new (PartyRole, string?)[] { (role, token) });
        });

    [HttpPost("contracts/{contractId:guid}/links/{role}/revoke")]
    public async Task<IActionResult> RevokeLink([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] PartyRole role, string? confirm, CancellationToken cancellationToken) =>
        await ConfirmFirstAsync(storeId, contractId, confirm, c => ModelState.IsValid && Enum.IsDefined(role) && c.ActiveLinks(role, clock.GetUtcNow()).Count > 0
                ? Confirmation(c, $"Revoke the {role.ToString().ToLowerInvariant()}'s link",
                    [$"Every link of {PartyName(c, role)} ({role.ToString().ToLowerInvariant()}) stops working at once, including links sent by email; they cannot be turned back on.",
                     "No money moves. You can issue a new link afterwards (Reissue) and send it to them."],
                    "Revoke link", [])
                : null, cancellationToken)
            ?? await Act(storeId, contractId, () =>
            {
                EnsureRole(role);
                return drafting.RevokePartyLinkAsync(storeId, contractId, role, User.ToAgencyActor(), cancellationToken);
            });

    [HttpPost("contracts/{contractId:guid}/payments/{paymentId}/accept")]
    public async Task<IActionResult> AcceptLatePayment([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string paymentId, string? confirm, CancellationToken cancellationToken) =>
        await ConfirmFirstAsync(storeId, contractId, confirm, c => LatePayment(c, paymentId) is { } p
                ? Confirmation(c, "Accept a late payment",
                    [$"Count {p.Credited} ({p.Crypto} received) towards {Milestones(c, p)}; it is then held in escrow like any other funding.",
                     $"Nothing is refunded to {c.Client.Name}."],
                    $"Accept {p.Credited}", [])
                : null, cancellationToken)
            ?? await Act(storeId, contractId, () => decisions.AcceptLatePaymentAsync(storeId, contractId, paymentId, User.ToAgencyActor(), cancellationToken));

    [HttpPost("contracts/{contractId:guid}/payments/{paymentId}/refund")]
    public async Task<IActionResult> RefundLatePayment([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string paymentId, string? confirm, CancellationToken cancellationToken) =>
        await ConfirmFirstAsync(storeId, contractId, confirm, c => LatePayment(c, paymentId) is { } p
                ? Confirmation(c, "Refund a late payment",
                    [$"Refund {p.Credited} ({p.Crypto} received) to {c.Client.Name} (client) through a claim link.",
                     $"Nothing is counted towards {Milestones(c, p)}; release nothing."],
                    $"Refund {p.Credited}", [])
                : null, cancellationToken)
            ?? await Act(storeId, contractId, () => decisions.RefundLatePaymentAsync(storeId, contractId, paymentId, User.ToAgencyActor(), cancellationToken));

    private static Core.Funding.LedgerPayment? LatePayment(Contract contract, string paymentId) =>
        contract.Payments.FirstOrDefault(p => p.PaymentId == paymentId && p.Status == Core.Funding.PaymentStatus.AwaitingAcceptance);

    private static string Milestones(Contract contract, Core.Funding.LedgerPayment payment)
    {
        var numbers = contract.Invoices.Where(i => i.InvoiceId == payment.InvoiceId).SelectMany(i => i.MilestoneIds)
            .Select(id => contract.Milestones.FirstOrDefault(m => m.Id == id)?.Number).OfType<int>().Distinct().Order().ToList();
        return numbers.Count == 0 ? "the contract" : (numbers.Count == 1 ? "milestone " : "milestones ") + string.Join(", ", numbers);
    }

    private static string PartyName(Contract contract, PartyRole role) => role == PartyRole.Client ? contract.Client.Name : contract.Freelancer.Name;

    private static List<string> CancelEffects(Contract contract, string? reason)
    {
        var effects = new List<string>();
        var zero = Core.Amounts.Money.Zero(contract.Currency);
        var refund = zero;
        foreach (var m in contract.Milestones.Where(m => !m.IsFinal && m.Held.IsPositive).OrderBy(m => m.Number))
        {
            effects.Add($"Milestone {m.Number} ({m.Title}): refund {m.Held} to {contract.Client.Name}.");
            refund += m.Held;
        }
        if (contract.Credit.IsPositive)
        {
            effects.Add($"Credit: refund {contract.Credit} to {contract.Client.Name}.");
            refund += contract.Credit;
        }
        effects.Insert(0, refund.IsPositive
            ? $"Refund {refund} in all to {contract.Client.Name} (client); release nothing to {contract.Freelancer.Name}."
            : $"Nothing is held: no money moves, nothing is released to {contract.Freelancer.Name}.");
        effects.Add("Every open milestone is cancelled and the contract ends; this cannot be undone.");
        effects.Add(string.IsNullOrWhiteSpace(reason) ? "No reason given: the cancellation will be refused without one." : $"Reason shown to both parties: {reason.Trim()}");
        return effects;
    }

    private ConfirmActModel Confirmation(Contract contract, string heading, IReadOnlyList<string> effects, string button, IReadOnlyList<KeyValuePair<string, string>> fields) =>
        new(heading, contract.Title, effects, Request.Path.Value ?? "", button, fields,
            Url.Action(nameof(Details), new { storeId = contract.StoreId, contractId = contract.Id }) ?? "");

    /// <summary>
    /// Without <c>confirm=yes</c>, shows what the act would do and changes nothing; null lets the act run. An act the
    /// contract would refuse anyway (no confirmation to describe) runs straight away, so its refusal is shown as before.
    /// </summary>
    private async Task<IActionResult?> ConfirmFirstAsync(string storeId, Guid contractId, string? confirm, Func<Contract, ConfirmActModel?> describe, CancellationToken cancellationToken)
    {
        if (ConfirmActModel.IsConfirmed(confirm))
            return null;
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        if (contract is null)
            return NotFound();
        return describe(contract) is { } model ? View("Confirm", model) : null;
    }

    private void EnsureRole(PartyRole role)
    {
        // A role that does not bind ("links/Agency/rotate") leaves the default, the client: refuse it, never rotate the client's link.
        if (!ModelState.IsValid || !Enum.IsDefined(role))
            throw new InvalidInputException("role", "Unknown party.");
    }

    private void ShowLinks(string baseUrl, IEnumerable<(PartyRole Role, string? Token)> tokens)
    {
        var links = tokens.Where(t => t.Token is not null).Select(t => new IssuedLink(t.Role, linkGenerator.PartyPageUrl(baseUrl, t.Token!))).ToList();
        if (links.Count > 0)
            TempData[LinksKey] = JsonSerializer.Serialize(links);
    }

    /// <summary>Runs a staff act; a refusal is shown on the contract page, and nothing was saved.</summary>
    private async Task<IActionResult> Act(string storeId, Guid contractId, Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData[ErrorKey] = e.Message;
        }
        return RedirectToAction(nameof(Details), new { storeId, contractId });
    }

    private static ContractFormModel WithCustody(ContractFormModel form, CustodyMode custody)
    {
        form.Custody = custody;
        return form;
    }
}
