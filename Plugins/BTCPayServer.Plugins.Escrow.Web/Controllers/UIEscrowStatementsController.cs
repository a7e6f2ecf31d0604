using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// The agency's statements: one contract's (from its page), or every contract of the store over a period (from the
/// list). A contract is looked up within the route's store: another store's is a 404.
/// </summary>
[Route("stores/{storeId}/plugins/escrow")]
[Authorize(Policy = EscrowPolicies.ManageContracts)]
[AutoValidateAntiforgeryToken]
[ShortBindingErrors]
public sealed class UIEscrowStatementsController(IContractStoreFactory stores, IContractQueries queries, IAuditLog auditLog, TimeProvider clock) : Controller
{
    [HttpGet("statement.csv")]
    public Task<IActionResult> StoreCsv([FromRoute] string storeId, string? from, string? to, CancellationToken cancellationToken) =>
        StoreStatementAsync(storeId, from, to, StatementFormat.Csv, cancellationToken);

    [HttpGet("statement.json")]
    public Task<IActionResult> StoreJson([FromRoute] string storeId, string? from, string? to, CancellationToken cancellationToken) =>
        StoreStatementAsync(storeId, from, to, StatementFormat.Json, cancellationToken);

    [HttpGet("contracts/{contractId:guid}/statement.csv")]
    public Task<IActionResult> ContractCsv([FromRoute] string storeId, [FromRoute] Guid contractId, string? from, string? to, CancellationToken cancellationToken) =>
        ContractStatementAsync(storeId, contractId, from, to, StatementFormat.Csv, cancellationToken);

    [HttpGet("contracts/{contractId:guid}/statement.json")]
    public Task<IActionResult> ContractJson([FromRoute] string storeId, [FromRoute] Guid contractId, string? from, string? to, CancellationToken cancellationToken) =>
        ContractStatementAsync(storeId, contractId, from, to, StatementFormat.Json, cancellationToken);

    /// <summary>Without dates: the current month up to today (UTC).</summary>
    private async Task<IActionResult> StoreStatementAsync(string storeId, string? from, string? to, StatementFormat format, CancellationToken cancellationToken)
    {
        StatementPeriod period;
        try
        {
            var today = Today;
            period = StatementPeriod.Parse(from, to, new DateOnly(today.Year, today.Month, 1), today);
        }
        catch (InvalidInputException e)
        {
            return StatementFiles.BadDates(this, e);
        }
        var sources = await queries.ReadStatementSourcesAsync(storeId, period, cancellationToken);
        return StatementFiles.Download(Statement.Of(sources, period), StatementFiles.FileName(null, period.From, period.To), format);
    }

    private async Task<IActionResult> ContractStatementAsync(string storeId, Guid contractId, string? from, string? to, StatementFormat format, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken);
        if (contract is null)
            return NotFound();
        return StatementFiles.ContractDownload(this, contract, await auditLog.ReadAsync(contractId, cancellationToken), from, to, Today, format);
    }

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
