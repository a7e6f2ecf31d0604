using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers.Api;

/// <summary>The store's escrow settings through the API.</summary>
[Route(GreenfieldApi.RoutePrefix + "/settings")]
[Authorize(AuthenticationSchemes = GreenfieldApi.AuthenticationSchemes, Policy = EscrowPolicies.ManageContracts)]
[Tags("Escrow settings")]
public sealed class GreenfieldEscrowSettingsController(IStoreSettingsStore settings, IContractStoreFactory stores, TimeProvider clock)
    : GreenfieldEscrowController(stores, clock)
{
    [HttpGet("")]
    [EndpointSummary("Get the store's escrow settings")]
    [ProducesResponseType<SettingsData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Get([FromRoute] string storeId, CancellationToken cancellationToken) =>
        new ApiResult(SettingsData.Of(await settings.GetAsync(storeId, cancellationToken)));

    [HttpPut("")]
    [EndpointSummary("Update the store's escrow settings")]
    [EndpointDescription("Fields left out keep their value; an empty string clears the agency key, its payout address or the network fee rate. They apply to contracts created, invoices opened and payouts made from now on. A private key given as the agency key is refused and never kept or repeated.")]
    [Consumes("application/json")]
    [ProducesResponseType<SettingsData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Update([FromRoute] string storeId, [JsonBody] SettingsRequest request, CancellationToken cancellationToken)
    {
        // The agency key is read on the escrow chain's network, as the settings page reads it.
        var network = HttpContext.RequestServices.GetService<Core.NonCustodial.IEscrowChain>()?.Network;
        var updated = request.Over(await settings.GetAsync(storeId, cancellationToken), network);
        await settings.SaveAsync(storeId, updated, cancellationToken);
        return new ApiResult(SettingsData.Of(await settings.GetAsync(storeId, cancellationToken)));
    }
}
