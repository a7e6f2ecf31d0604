using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using Microsoft.EntityFrameworkCore;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>What the sandbox signer did: the PSBT with its new signatures, and how many it added.</summary>
public sealed record SandboxSignedPsbt(EscrowRole Role, PSBT Psbt, int Signatures);

/// <summary>
/// A stand-in for a party's own wallet, for demos of the non-custodial mode: per role it makes a throwaway HD key
/// (BIP-84 account m/84'/1'/0'), shows its <c>[fingerprint/84'/1'/0']tpub…</c> to paste into the escrow, and signs a
/// PSBT's inputs that name that key, SIGHASH_ALL only. The private keys sit in the sandbox database in clear: test only.
/// </summary>
public sealed class SandboxSigner(IDbContextFactory<SandboxWalletDbContext> db, SandboxNetwork network, TimeProvider clock)
{
    public const string PsbtField = "psbt";
    public const int MaxPsbtBytes = 100_000;
    private static readonly KeyPath AccountPath = new("84'/1'/0'");
    // "psbt" and 0xff: a binary PSBT file; anything else uploaded is read as text (base64 or hex).
    private static ReadOnlySpan<byte> BinaryMagic => [0x70, 0x73, 0x62, 0x74, 0xff];

    public async Task<IReadOnlyList<SandboxSignerKey>> KeysAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.SignerKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(ct);
    }

    /// <summary>A new key for the role; the role's earlier keys stay, so escrows made with them can still be signed.</summary>
    public async Task<SandboxSignerKey> GenerateAsync(EscrowRole role, CancellationToken ct)
    {
        var master = new ExtKey();
        var fingerprint = master.GetPublicKey().GetHDFingerPrint();
        var account = master.Derive(AccountPath).Neuter().GetWif(network.Network);
        var key = new SandboxSignerKey
        {
            Id = Guid.NewGuid().ToString("N"),
            Role = role.Noun(),
            Fingerprint = fingerprint.ToString(),
            AccountKey = $"[{fingerprint}/84'/1'/0']{account}",
            TestOnlyMasterKey = master.GetWif(network.Network).ToString(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        await using var ctx = await db.CreateDbContextAsync(ct);
        ctx.SignerKeys.Add(key);
        await ctx.SaveChangesAsync(ct);
        return key;
    }

    /// <summary>Signs every input of the PSBT whose BIP-32 derivations name one of the role's sandbox keys.</summary>
    public async Task<SandboxSignedPsbt> SignAsync(EscrowRole role, string? text, byte[]? file, CancellationToken ct)
    {
        var masters = (await KeysAsync(ct)).Where(k => k.Role == role.Noun())
            .Select(k => ExtKey.Parse(k.TestOnlyMasterKey, network.Network)).ToList();
        if (masters.Count == 0)
            throw new InvalidInputException(PsbtField, $"The {role.Noun()} has no sandbox key yet: generate one first.");
        var psbt = ParsePsbt(text, file, network.Network);
        var byFingerprint = masters.ToDictionary(m => m.GetPublicKey().GetHDFingerPrint());
        var signatures = 0;
        foreach (var input in psbt.Inputs)
        {
            foreach (var (pubKey, path) in input.HDKeyPaths)
            {
                if (!byFingerprint.TryGetValue(path.MasterFingerprint, out var master))
                    continue;
                var key = master.Derive(path.KeyPath).PrivateKey;
                if (key.PubKey != pubKey)
                    throw new InvalidInputException(PsbtField, $"Input {input.Index} says key {pubKey} comes from {path}, but the {role.Noun()}'s sandbox key derives another key there. The PSBT was not made for this key.");
                if (input.SighashType is { } sighash && sighash != SigHash.All)
                    throw new InvalidInputException(PsbtField, $"Input {input.Index} asks for a {sighash} signature; the sandbox signer signs SIGHASH_ALL only (the escrow never asks for another).");
                if (input.WitnessUtxo is null && input.NonWitnessUtxo is null)
                    throw new InvalidInputException(PsbtField, $"Input {input.Index} does not say which output it spends (no witness UTXO), so it cannot be signed.");
                if (input.PartialSigs.ContainsKey(pubKey))
                    continue;
                try
                {
                    input.Sign(key);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    throw new InvalidInputException(PsbtField, $"Input {input.Index} cannot be signed by the sandbox signer: the PSBT lacks what signing it needs (the spent output, its script or its key paths).");
                }
                if (input.PartialSigs.ContainsKey(pubKey))
                    signatures++;
            }
        }
        if (signatures == 0)
            throw new InvalidInputException(PsbtField, $"This PSBT asks for no new signature from the {role.Noun()}'s sandbox key (fingerprint {string.Join(", ", byFingerprint.Keys)}): it names other keys, or the {role.Noun()} signed it already.");
        return new SandboxSignedPsbt(role, psbt, signatures);
    }

    /// <summary>A PSBT pasted (base64 or hex) or uploaded (binary, or a text file holding base64).</summary>
    public static PSBT ParsePsbt(string? text, byte[]? file, Network network)
    {
        if (file is { Length: > 0 })
        {
            if (file.Length > MaxPsbtBytes)
                throw new InvalidInputException(PsbtField, $"The file is larger than a PSBT can be here ({MaxPsbtBytes / 1000} kB at most).");
            if (file.AsSpan().StartsWith(BinaryMagic))
                return Load(() => PSBT.Load(file, network));
            text = System.Text.Encoding.UTF8.GetString(file);
        }
        var trimmed = string.Concat((text ?? "").Where(c => !char.IsWhiteSpace(c)));
        if (trimmed.Length == 0)
            throw new InvalidInputException(PsbtField, "Paste the PSBT (base64) or choose its file.");
        if (trimmed.Length > MaxPsbtBytes * 2)
            throw new InvalidInputException(PsbtField, $"This is longer than a PSBT can be here ({MaxPsbtBytes / 1000} kB at most).");
        return Load(() => PSBT.Parse(trimmed, network));
    }

    private static PSBT Load(Func<PSBT> parse)
    {
        try
        {
            return parse();
        }
        // Bytes from anyone, read by a library that throws whatever its reader hits: every failure is "not a PSBT".
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new InvalidInputException(PsbtField, "This is not a PSBT: paste the base64 text your wallet exported (it starts with cHNidP8), or choose the .psbt file.");
        }
    }
}
