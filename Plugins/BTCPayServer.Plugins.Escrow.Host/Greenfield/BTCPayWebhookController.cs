using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>
/// BTCPay's webhook deliveries to this host. Only the fact that something changed is taken from a delivery: the invoice
/// or pull payment is then read from BTCPay and reconciled, so a forged, replayed or out-of-order delivery can at most
/// make the host look again. Unsigned or wrongly signed deliveries are refused with a bare 401.
/// </summary>
[ApiController]
[IgnoreAntiforgeryToken]
public sealed class BTCPayWebhookController(
    WebhookRegistration registration,
    SeenDeliveries seen,
    GreenfieldClient btcpay,
    GatewayReconciliation reconciliation) : ControllerBase
{
    private const int MaxBody = 1024 * 1024;

    [HttpPost("/" + WebhookRegistration.Path)]
    public async Task<IActionResult> Receive(CancellationToken cancellationToken)
    {
        if (Request.ContentLength > MaxBody)
            return Unauthorized();
        using var buffer = new MemoryStream();
        await Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        if (body.Length > MaxBody || !SignedBy(registration.Secret, body, Request.Headers["BTCPay-Sig"].ToString()))
            return Unauthorized();
        JsonNode? delivery;
        try
        {
            delivery = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return BadRequest();
        }
        if ((string?)delivery?["deliveryId"] is not { Length: > 0 } deliveryId)
            return BadRequest();
        if (seen.Contains(deliveryId) || ((string?)delivery["storeId"] is { } storeId && storeId != btcpay.StoreId))
            return Ok();
        var type = (string?)delivery["type"] ?? "";
        if (type.StartsWith("Invoice", StringComparison.Ordinal) && (string?)delivery["invoiceId"] is { Length: > 0 } invoiceId)
            await reconciliation.ReconcileInvoiceAsync(invoiceId, cancellationToken);
        else if (type.StartsWith("Payout", StringComparison.Ordinal) && (string?)delivery["pullPaymentId"] is { Length: > 0 } pullPaymentId)
            await reconciliation.ReconcilePullPaymentAsync(pullPaymentId, cancellationToken);
        // Remembered once applied: a delivery that failed half-way is answered 500 by the host, and BTCPay sends it again.
        seen.Add(deliveryId);
        return Ok();
    }

    /// <summary><c>BTCPay-Sig: sha256=&lt;hex HMAC-SHA256(secret, raw body)&gt;</c>, compared in constant time.</summary>
    public static bool SignedBy(byte[]? secret, byte[] body, string signature)
    {
        const string prefix = "sha256=";
        if (secret is null || !signature.StartsWith(prefix, StringComparison.Ordinal) || signature.Length != prefix.Length + 64)
            return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, body), given);
    }
}

/// <summary>Delivery ids already applied (the latest 10,000, in memory): a replayed delivery is answered 200 and not applied again.</summary>
public sealed class SeenDeliveries
{
    private const int Capacity = 10_000;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public bool Contains(string deliveryId)
    {
        lock (_lock)
            return _ids.Contains(deliveryId);
    }

    public void Add(string deliveryId)
    {
        lock (_lock)
        {
            if (!_ids.Add(deliveryId))
                return;
            _order.Enqueue(deliveryId);
            if (_order.Count > Capacity)
                _ids.Remove(_order.Dequeue());
        }
    }
}
