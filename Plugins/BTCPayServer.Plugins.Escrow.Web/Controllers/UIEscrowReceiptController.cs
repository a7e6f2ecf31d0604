using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// Public receipt: the terms fingerprint both parties signed and the head of the audit chain, verified now. It shows no
/// amounts or names beyond the title, so sharing the (unguessable) contract id reveals little.
/// </summary>
[Route("escrow/receipt/{contractId:guid}")]
[AllowAnonymous]
[PublicRateLimit]
public sealed class UIEscrowReceiptController(IContractStoreFactory stores, AuditReceipt receipts) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindAsync(contractId, cancellationToken);
        if (contract is null || contract.State == Core.Contracts.ContractState.Draft)
            return NotFound();
        try
        {
            var verification = await receipts.VerifyAsync(contractId, cancellationToken);
            return View(new ReceiptModel(contract.Id, contract.Title, contract.State, contract.LatestTermsVersion, contract.EffectiveTermsVersion, contract.AuditCount, contract.AuditHeadHash, verification));
        }
        catch (ContractNotFoundException)
        {
            return NotFound();
        }
    }
}
