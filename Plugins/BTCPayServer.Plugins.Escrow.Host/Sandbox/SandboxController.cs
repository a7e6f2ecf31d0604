using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>Checkout and claim pages of the sandbox gateway, and its clock. Registered only when the sandbox is on.</summary>
[Route("sandbox")]
[AllowAnonymous]
[AutoValidateAntiforgeryToken]
public sealed class SandboxController(SandboxCashier cashier, SandboxClock clock) : Controller
{
    [HttpGet("checkout/{invoiceId}")]
    public async Task<IActionResult> Checkout([FromRoute] string invoiceId, CancellationToken ct)
    {
        var invoice = await cashier.FindInvoiceAsync(invoiceId, ct);
        if (invoice is null)
            return NotFound();
        ViewData["Error"] = TempData["Error"];
        return View(invoice);
    }

    [HttpPost("checkout/{invoiceId}/pay")]
    public Task<IActionResult> Pay([FromRoute] string invoiceId, string? amount, string? method, CancellationToken ct) =>
        Checkout(invoiceId, () => cashier.PayAsync(invoiceId, Amounts.ParseAmount(amount, "amount"), method ?? "onchain", ct));

    [HttpPost("checkout/{invoiceId}/expire")]
    public Task<IActionResult> Expire([FromRoute] string invoiceId, CancellationToken ct) => Checkout(invoiceId, () => cashier.ExpireAsync(invoiceId, ct));

    [HttpPost("checkout/{invoiceId}/invalidate")]
    public Task<IActionResult> Invalidate([FromRoute] string invoiceId, CancellationToken ct) => Checkout(invoiceId, () => cashier.InvalidateAsync(invoiceId, ct));

    [HttpGet("claim/{pullPaymentId}")]
    public async Task<IActionResult> Claim([FromRoute] string pullPaymentId, CancellationToken ct)
    {
        var pullPayment = await cashier.FindPullPaymentAsync(pullPaymentId, ct);
        if (pullPayment is null)
            return NotFound();
        ViewData["Error"] = TempData["Error"];
        return View(pullPayment);
    }

    [HttpPost("claim/{pullPaymentId}")]
    public async Task<IActionResult> Claim([FromRoute] string pullPaymentId, string? destination, CancellationToken ct)
    {
        try
        {
            await cashier.ClaimAsync(pullPaymentId, destination, ct);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData["Error"] = e.Message;
        }
        return RedirectToAction(nameof(Claim), new { pullPaymentId });
    }

    /// <summary>Test endpoint: moves the sandbox clock forward (JSON: {"hours": 360}). Exists only in the sandbox.</summary>
    [HttpPost("clock/advance")]
    [IgnoreAntiforgeryToken]
    public IActionResult AdvanceClock([FromBody] ClockAdvance body)
    {
        // Less than a tick (1e-12 hours) is no time at all, which the clock refuses with an exception: check the span too.
        if (body is null || body.Hours is not (> 0 and <= 87_600) || TimeSpan.FromHours(body.Hours) <= TimeSpan.Zero)
            return Problem(title: "Invalid clock advance", detail: "Give hours between 0 and 87600, e.g. {\"hours\": 360}.", statusCode: 400);
        clock.Advance(TimeSpan.FromHours(body.Hours));
        return Json(new { now = clock.GetUtcNow(), offsetHours = clock.Offset.TotalHours });
    }

    [HttpGet("clock")]
    public IActionResult ClockNow() => Json(new { now = clock.GetUtcNow(), offsetHours = clock.Offset.TotalHours });

    private async Task<IActionResult> Checkout(string invoiceId, Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (EscrowException e)
        {
            TempData["Error"] = e.Message;
        }
        return RedirectToAction(nameof(Checkout), new { invoiceId });
    }
}

public sealed record ClockAdvance(double Hours);
