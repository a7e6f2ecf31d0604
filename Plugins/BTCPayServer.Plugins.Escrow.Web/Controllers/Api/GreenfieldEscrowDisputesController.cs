using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers.Api;

/// <summary>The agency's dispute queue and rulings through the API (permission: arbitrate disputes).</summary>
[Route(GreenfieldApi.RoutePrefix + "/disputes")]
[Authorize(AuthenticationSchemes = GreenfieldApi.AuthenticationSchemes, Policy = EscrowPolicies.ArbitrateDisputes)]
[Tags("Escrow disputes")]
public sealed class GreenfieldEscrowDisputesController(IContractStoreFactory stores, IContractQueries queries, AgencyDecisions decisions, TimeProvider clock)
    : GreenfieldEscrowController(stores, clock)
{
    [HttpGet("")]
    [EndpointSummary("List active disputes")]
    [EndpointDescription("Open and escalated disputes of the store, escalated first, oldest first.")]
    [ProducesResponseType<DisputeSummaryData[]>(StatusCodes.Status200OK)]
    public async Task<IActionResult> List([FromRoute] string storeId, CancellationToken cancellationToken) =>
        new ApiResult((await queries.ListActiveDisputesAsync(storeId, cancellationToken)).Select(DisputeSummaryData.Of).ToList());

    [HttpGet("{contractId:guid}/{milestoneId:guid}")]
    [EndpointSummary("Get a milestone's dispute")]
    [ProducesResponseType<DisputeData>(StatusCodes.Status200OK)]
    public Task<IActionResult> Get([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, CancellationToken cancellationToken) =>
        DisputeAsync(storeId, contractId, milestoneId, cancellationToken);

    [HttpPost("{contractId:guid}/{milestoneId:guid}/escalate")]
    [EndpointSummary("Escalate a dispute")]
    [EndpointDescription("Hands an open dispute to the agency now, without waiting for its response window to pass.")]
    [ProducesResponseType<DisputeData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Escalate([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        await EnsureDisputeAsync(storeId, contractId, milestoneId, cancellationToken);
        await decisions.EscalateDisputeAsync(storeId, contractId, milestoneId, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await DisputeAsync(storeId, contractId, milestoneId, cancellationToken);
    }

    [HttpPost("{contractId:guid}/{milestoneId:guid}/rule")]
    [EndpointSummary("Rule on an escalated dispute")]
    [EndpointDescription("Final: releases `freelancerAmount` (less the fee) to the freelancer and refunds the rest of the milestone to the client, both at once.")]
    [Consumes("application/json")]
    [ProducesResponseType<DisputeData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Rule([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] Guid milestoneId, [JsonBody] RulingRequest request, CancellationToken cancellationToken)
    {
        await EnsureDisputeAsync(storeId, contractId, milestoneId, cancellationToken);
        var amount = Amounts.ParseNumber(request.FreelancerAmount, "freelancerAmount", "amount to the freelancer");
        await decisions.RuleOnDisputeAsync(storeId, contractId, milestoneId, amount, request.Reason, User.ToAgencyActor(), cancellationToken, request.Version);
        return await DisputeAsync(storeId, contractId, milestoneId, cancellationToken);
    }

    /// <summary>A contract of another store, an unknown milestone or one never disputed: the same 404 before anything else is said.</summary>
    private async Task EnsureDisputeAsync(string storeId, Guid contractId, Guid milestoneId, CancellationToken cancellationToken)
    {
        if (await FindAsync(storeId, contractId, milestoneId, cancellationToken) is null)
            throw new NotFoundException("The dispute");
    }

    private async Task<IActionResult> DisputeAsync(string storeId, Guid contractId, Guid milestoneId, CancellationToken cancellationToken) =>
        new ApiResult(await FindAsync(storeId, contractId, milestoneId, cancellationToken) ?? throw new NotFoundException("The dispute"));

    private async Task<DisputeData?> FindAsync(string storeId, Guid contractId, Guid milestoneId, CancellationToken cancellationToken)
    {
        var contract = await FindAsync(storeId, contractId, cancellationToken);
        var dispute = contract?.Disputes.LastOrDefault(d => d.MilestoneId == milestoneId);
        return contract is null || dispute is null ? null : DisputeData.Of(contract, dispute);
    }
}
