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

/// <summary>
/// The agency's decision on a payment that arrived for milestones that no longer take money (its invoice had
/// expired): count it towards them, or refund it to the client. The same acts as on the contract page.
/// </summary>
[Route(GreenfieldApi.RoutePrefix + "/contracts/{contractId:guid}/payments/{paymentId}")]
[Authorize(AuthenticationSchemes = GreenfieldApi.AuthenticationSchemes, Policy = EscrowPolicies.ManageContracts)]
[Tags("Escrow contracts")]
public sealed class GreenfieldEscrowLatePaymentsController(IContractStoreFactory stores, AgencyDecisions decisions, TimeProvider clock)
    : GreenfieldEscrowController(stores, clock)
{
    [HttpPost("accept")]
    [EndpointSummary("Accept a late payment")]
    [EndpointDescription("Counts a payment held for acceptance towards its milestones; it is then held in escrow like any other funding.")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Accept([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string paymentId, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        await decisions.AcceptLatePaymentAsync(storeId, contractId, paymentId, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }

    [HttpPost("refund")]
    [EndpointSummary("Refund a late payment")]
    [EndpointDescription("Refunds a payment held for acceptance to the client through a claim link; nothing is counted towards the milestones.")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Refund([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string paymentId, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        await decisions.RefundLatePaymentAsync(storeId, contractId, paymentId, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }
}
