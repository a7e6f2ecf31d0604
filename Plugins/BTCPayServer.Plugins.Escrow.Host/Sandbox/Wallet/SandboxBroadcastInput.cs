using BTCPayServer.Plugins.Escrow.Core;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// What is pasted into the sandbox wallet's broadcast form, read as a signed transaction: its hex, or a finalized PSBT
/// (base64 or hex) whose transaction is extracted. Only the reading is here; whether the chain takes the transaction is
/// the chain's <c>Submit</c> to decide. Every refusal names <see cref="Field"/>.
/// </summary>
public static class SandboxBroadcastInput
{
    public const string Field = "transaction";
    /// <summary>Characters of pasted text: a standard transaction is at most 400,000 weight units, so 400 kB covers any one a node would relay.</summary>
    public const int MaxChars = 400_000;
    private static ReadOnlySpan<byte> PsbtMagic => [0x70, 0x73, 0x62, 0x74, 0xff];

    public static Transaction Parse(string? text, Network network)
    {
        var trimmed = string.Concat((text ?? "").Where(c => !char.IsWhiteSpace(c)));
        if (trimmed.Length == 0)
            throw new InvalidInputException(Field, "Paste the signed transaction (hex) or the finalized PSBT (base64 or hex) to broadcast.");
        if (trimmed.Length > MaxChars)
            throw new InvalidInputException(Field, $"This is longer than a transaction can be here ({MaxChars / 1000} kB of text at most).");

        if (trimmed.All(char.IsAsciiHexDigit))
        {
            if (trimmed.Length % 2 != 0)
                throw NotATransaction();
            var bytes = Convert.FromHexString(trimmed);
            return bytes.AsSpan().StartsWith(PsbtMagic) ? FromPsbt(Read(() => PSBT.Load(bytes, network))) : ReadTransaction(trimmed.ToLowerInvariant(), network);
        }
        if (trimmed.StartsWith("cHNidP8", StringComparison.Ordinal))
            return FromPsbt(Read(() => PSBT.Parse(trimmed, network)));
        throw NotATransaction();
    }

    private static Transaction ReadTransaction(string hex, Network network)
    {
        var tx = Read(() => Transaction.Parse(hex, network));
        // The reader stops where a transaction ends: bytes after it (or an encoding that reads back differently) mean
        // the text is not one transaction.
        if (Read(tx.ToHex) != hex)
            throw NotATransaction();
        return tx;
    }

    private static Transaction FromPsbt(PSBT psbt)
    {
        var finalized = psbt.Inputs.Count(i => i.IsFinalized());
        if (psbt.Inputs.Count == 0 || finalized < psbt.Inputs.Count)
            throw new InvalidInputException(Field,
                $"This PSBT is not finalized ({finalized} of {psbt.Inputs.Count} inputs are): sign and finalize it in your wallet first, then paste it (or the transaction's hex) here.");
        return Read(psbt.ExtractTransaction);
    }

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        // Text from anyone, read by a library that throws whatever its reader hits: every failure is "not a transaction".
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw NotATransaction();
        }
    }

    private static InvalidInputException NotATransaction() => new(Field,
        "This is not a signed transaction: paste its hex (it starts with 01000000 or 02000000), or a finalized PSBT (base64, starting with cHNidP8).");
}
