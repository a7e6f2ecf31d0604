using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers.Api;

/// <summary>
/// What every API controller shares: its place in the OpenAPI document, callers with an API key only, JSON answers, Greenfield's error shapes,
/// idempotent POSTs, and reading a contract within the route's store (another store's is "not found"). Each
/// controller names its own <see cref="Microsoft.AspNetCore.Authorization.AuthorizeAttribute"/> (scheme and policy).
/// </summary>
[ApiExplorerSettings(GroupName = GreenfieldApi.DocumentName)]
[ApiKeyCallersOnly]
[Produces("application/json")]
[ApiErrorFilter]
[IdempotentPosts]
public abstract class GreenfieldEscrowController(IContractStoreFactory stores, TimeProvider clock) : ControllerBase
{
    protected DateTimeOffset Now => clock.GetUtcNow();

    protected async Task<Contract?> FindAsync(string storeId, Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        return await store.FindInStoreAsync(storeId, contractId, cancellationToken);
    }

    /// <summary>The contract as it is now, as the answer to an act or a read.</summary>
    protected async Task<IActionResult> ContractAsync(string storeId, Guid contractId, CancellationToken cancellationToken) =>
        new ApiResult(ContractResource.Of(await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException(), Now));
}
