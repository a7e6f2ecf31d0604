using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers.Api;

/// <summary>What the escrow recorded: a contract's ledger, audit timeline and statement, and the store's statement.</summary>
[Route(GreenfieldApi.RoutePrefix)]
[Authorize(AuthenticationSchemes = GreenfieldApi.AuthenticationSchemes, Policy = EscrowPolicies.ManageContracts)]
[Tags("Escrow records")]
public sealed class GreenfieldEscrowRecordsController(IContractStoreFactory stores, IContractQueries queries, IAuditLog auditLog, TimeProvider clock)
    : GreenfieldEscrowController(stores, clock)
{
    [HttpGet("contracts/{contractId:guid}/ledger")]
    [EndpointSummary("Get a contract's escrow ledger")]
    [ProducesResponseType<LedgerData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Ledger([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        var contract = await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        return new ApiResult(LedgerData.Of(contract.Ledger));
    }

    [HttpGet("contracts/{contractId:guid}/timeline")]
    [EndpointSummary("Get a contract's audit timeline")]
    [EndpointDescription("Every recorded act, oldest first, with the chain's check against the head the contract recorded.")]
    [ProducesResponseType<TimelineData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Timeline([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        _ = await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var (entries, verification) = await new AuditReceipt(auditLog).ReadVerifiedAsync(contractId, cancellationToken);
        return new ApiResult(TimelineData.Of(entries, verification));
    }

    [HttpGet("contracts/{contractId:guid}/statement")]
    [EndpointSummary("Get a contract's statement")]
    [EndpointDescription("Its money movements; `from` and `to` (yyyy-MM-dd, UTC days, both included) narrow it, else its whole history.")]
    [ProducesResponseType<StatementData>(StatusCodes.Status200OK)]
    [ProducesResponseType<GreenfieldValidationError[]>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> ContractStatement([FromRoute] string storeId, [FromRoute] Guid contractId, [FromQuery] string? from, [FromQuery] string? to, CancellationToken cancellationToken)
    {
        var contract = await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var period = StatementPeriod.ForContract(from, to, contract.CreatedAt, Today);
        return new ApiResult(StatementData.Of(Statement.Of(contract, await auditLog.ReadAsync(contractId, cancellationToken), period)));
    }

    [HttpGet("statement")]
    [EndpointSummary("Get the store's statement")]
    [EndpointDescription("Money movements of every contract of the store in the period (`from`, `to` as yyyy-MM-dd; default: this month so far).")]
    [ProducesResponseType<StatementData>(StatusCodes.Status200OK)]
    [ProducesResponseType<GreenfieldValidationError[]>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> StoreStatement([FromRoute] string storeId, [FromQuery] string? from, [FromQuery] string? to, CancellationToken cancellationToken)
    {
        var today = Today;
        var period = StatementPeriod.Parse(from, to, new DateOnly(today.Year, today.Month, 1), today);
        return new ApiResult(StatementData.Of(Statement.Of(await queries.ReadStatementSourcesAsync(storeId, period, cancellationToken), period)));
    }

    private DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);
}
