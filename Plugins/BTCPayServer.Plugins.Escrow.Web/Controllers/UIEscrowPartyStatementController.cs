using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// A party's statement of its own contract, behind its capability link like the party page: anything wrong with the
/// token is a plain 404. A pull payment shows only on the lines paid to the party asking.
/// </summary>
[Route("escrow/p/{token}")]
[AllowAnonymous]
[PublicRateLimit]
public sealed class UIEscrowPartyStatementController(PartyActions parties, IAuditLog auditLog, TimeProvider clock) : Controller
{
    [HttpGet("statement.csv")]
    public Task<IActionResult> StatementCsv([FromRoute] string token, string? from, string? to, CancellationToken cancellationToken) =>
        StatementAsync(token, from, to, StatementFormat.Csv, cancellationToken);

    [HttpGet("statement.json")]
    public Task<IActionResult> StatementJson([FromRoute] string token, string? from, string? to, CancellationToken cancellationToken) =>
        StatementAsync(token, from, to, StatementFormat.Json, cancellationToken);

    private async Task<IActionResult> StatementAsync(string token, string? from, string? to, StatementFormat format, CancellationToken cancellationToken)
    {
        try
        {
            var (contract, role) = await parties.OpenAsync(token, cancellationToken);
            Response.Headers.CacheControl = "no-store";
            Response.Headers["Referrer-Policy"] = "no-referrer";
            var entries = await auditLog.ReadAsync(contract.Id, cancellationToken);
            return StatementFiles.ContractDownload(this, contract, entries, from, to, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), format, s => s.ForParty(role));
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }
}
