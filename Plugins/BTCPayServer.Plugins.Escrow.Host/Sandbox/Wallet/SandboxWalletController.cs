using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>What the sandbox wallet page shows.</summary>
public sealed class SandboxWalletPage
{
    public required string Network { get; init; }
    public required int Height { get; init; }
    public required IReadOnlyList<SandboxWalletTransaction> Transactions { get; init; }
    public required IReadOnlyList<SandboxSignerKey> Keys { get; init; }
    public string? Error { get; init; }
    public string? ErrorField { get; init; }
    public string? Notice { get; init; }
    public string? PaidTxId { get; init; }
    public IReadOnlyList<string> DroppedTxIds { get; init; } = [];
    public string? Destination { get; init; }
    public string? Amount { get; init; }
    public SandboxSignedPsbt? Signed { get; init; }

    public static IReadOnlyList<EscrowRole> Roles => [EscrowRole.Client, EscrowRole.Freelancer, EscrowRole.Agency];
}

/// <summary>What dropping a transaction would do, shown before it is done.</summary>
public sealed record SandboxDropConfirmation(string TxId);

/// <summary>
/// The sandbox wallet page: the chain's height, mine blocks, pay an address from the faucet, broadcast a signed
/// transaction, drop an unconfirmed one, the latest transactions, and a test-only signer per role. In the sandbox's namespace, so it exists only when the sandbox gateway is in use.
/// </summary>
[Route("sandbox/wallet")]
[AllowAnonymous]
[AutoValidateAntiforgeryToken]
public sealed class SandboxWalletController(SandboxWallet wallet, SandboxSigner signer) : Controller
{
    private const int RecentCount = 50;
    public const string ConfirmYes = "yes";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View("Index", await PageAsync(ct));

    [HttpPost("mine")]
    public IActionResult Mine(string? blocks) => Act(() =>
    {
        var height = wallet.Mine(blocks);
        TempData["Notice"] = $"Mined. The sandbox chain is at height {height}.";
    });

    [HttpPost("pay")]
    public IActionResult Pay(string? destination, string? amount)
    {
        // Typed values come back in the form after a refusal; TempData is a cookie, so only what can be a real value.
        TempData["Destination"] = destination is { Length: <= SandboxPaymentRequest.MaxDestinationLength } ? destination : null;
        TempData["Amount"] = amount is { Length: <= 40 } ? amount : null;
        return Act(() =>
        {
            var request = SandboxPaymentRequest.Parse(destination, amount, wallet.SandboxNetwork);
            var txid = wallet.Pay(request);
            TempData.Remove("Destination");
            TempData.Remove("Amount");
            TempData["Notice"] = $"Paid {SandboxPaymentRequest.Btc(request.Amount)} BTC to {request.Address} from the sandbox faucet (unconfirmed until a block is mined).";
            TempData["PaidTxId"] = txid.ToString();
        });
    }

    [HttpPost("broadcast")]
    [RequestSizeLimit(1_000_000)]
    public IActionResult Broadcast(string? transaction) => Act(() =>
    {
        var txid = wallet.Broadcast(transaction);
        TempData["Notice"] = "Broadcast: the sandbox chain took the transaction into its mempool (unconfirmed until a block is mined).";
        TempData["PaidTxId"] = txid.ToString();
    });

    /// <summary>
    /// Drops an unconfirmed transaction (and those spending it) from the mempool, as if it expired or was replaced.
    /// Without confirm=yes it answers with what would happen and changes nothing.
    /// </summary>
    [HttpPost("drop")]
    public IActionResult Drop(string? txid, string? confirm)
    {
        if (confirm != ConfirmYes)
        {
            try
            {
                return View("ConfirmDrop", new SandboxDropConfirmation(wallet.Droppable(txid).ToString()));
            }
            catch (InvalidInputException e)
            {
                return Refused(e);
            }
        }
        return Act(() =>
        {
            var dropped = wallet.Drop(txid);
            TempData["Notice"] = dropped.Count == 1
                ? "Dropped from the mempool, as if it expired or was replaced: its inputs are unspent again."
                : $"Dropped from the mempool, as if it expired or was replaced, with the {dropped.Count - 1} unconfirmed transaction(s) spending its outputs: their inputs are unspent again.";
            TempData["DroppedTxIds"] = string.Join(" ", dropped);
        });
    }

    [HttpPost("signer/{role}/generate")]
    public async Task<IActionResult> Generate([FromRoute] string role, CancellationToken ct)
    {
        if (RoleOf(role) is not { } r)
            return NotFound();
        var key = await signer.GenerateAsync(r, ct);
        TempData["Notice"] = $"A new test-only key for the {r.Noun()}: fingerprint {key.Fingerprint}.";
        return RedirectToAction(nameof(Index), null, $"Signer-{r.Noun()}");
    }

    [HttpPost("signer/{role}/sign")]
    [RequestSizeLimit(1_000_000)]
    public async Task<IActionResult> Sign([FromRoute] string role, string? psbt, IFormFile? psbtFile, CancellationToken ct)
    {
        if (RoleOf(role) is not { } r)
            return NotFound();
        try
        {
            var file = await ReadAsync(psbtFile, ct);
            var signed = await signer.SignAsync(r, psbt, file, ct);
            return View("Index", await PageAsync(ct, signed));
        }
        catch (InvalidInputException e)
        {
            TempData["Error"] = e.Message;
            TempData["ErrorField"] = $"{e.Field}-{r.Noun()}";
            return RedirectToAction(nameof(Index), null, $"Signer-{r.Noun()}");
        }
    }

    /// <summary>The signed PSBT shown on the page, as a file (it is checked to be a PSBT first).</summary>
    [HttpPost("psbt/download")]
    public IActionResult Download(string? psbt, string? role)
    {
        try
        {
            var parsed = SandboxSigner.ParsePsbt(psbt, null, wallet.Network);
            var name = RoleOf(role) is { } r ? $"signed-by-{r.Noun()}.psbt" : "signed.psbt";
            return File(parsed.ToBytes(), "application/octet-stream", name);
        }
        catch (InvalidInputException e)
        {
            return Refused(e);
        }
    }

    private IActionResult Act(Action act)
    {
        try
        {
            act();
        }
        catch (InvalidInputException e)
        {
            return Refused(e);
        }
        return RedirectToAction(nameof(Index));
    }

    private RedirectToActionResult Refused(InvalidInputException e)
    {
        TempData["Error"] = e.Message;
        TempData["ErrorField"] = e.Field;
        return RedirectToAction(nameof(Index));
    }

    private async Task<SandboxWalletPage> PageAsync(CancellationToken ct, SandboxSignedPsbt? signed = null) => new()
    {
        Network = wallet.NetworkName,
        Height = wallet.Height,
        Transactions = await wallet.RecentAsync(RecentCount, ct),
        Keys = await signer.KeysAsync(ct),
        Error = TempData["Error"] as string,
        ErrorField = TempData["ErrorField"] as string,
        Notice = TempData["Notice"] as string,
        PaidTxId = TempData["PaidTxId"] as string,
        DroppedTxIds = (TempData["DroppedTxIds"] as string)?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
        Destination = TempData["Destination"] as string,
        Amount = TempData["Amount"] as string,
        Signed = signed,
    };

    private static EscrowRole? RoleOf(string? role) => role?.ToLowerInvariant() switch
    {
        "client" => EscrowRole.Client,
        "freelancer" => EscrowRole.Freelancer,
        "agency" => EscrowRole.Agency,
        _ => null,
    };

    private static async Task<byte[]?> ReadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
            return null;
        if (file.Length > SandboxSigner.MaxPsbtBytes)
            throw new InvalidInputException(SandboxSigner.PsbtField, $"The file is larger than a PSBT can be here ({SandboxSigner.MaxPsbtBytes / 1000} kB at most).");
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
