using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The checks on a PSBT a party uploads after signing in their wallet. Only partial signatures are taken from the
/// upload, and each is verified against the issued PSBT's own UTXO and script, so nothing else an upload carries
/// (changed UTXO amounts, extra fields) can reach the transaction.
/// </summary>
internal static class PsbtUploadCheck
{
    private const int MaxUploadLength = 1_000_000;

    public static Checked<UploadResult> Accept(SigningRound round, string? upload)
    {
        if (string.IsNullOrWhiteSpace(upload))
            return Refuse("Upload the signed PSBT file or paste its text (base64).");
        if (upload.Length > MaxUploadLength)
            return Refuse("This is far too large to be the PSBT of an escrow spend.");
        PSBT psbt;
        try
        {
            psbt = PSBT.Parse(upload.Trim(), round.GetNetwork());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refuse("This is not a PSBT (a partially signed Bitcoin transaction). Export the signed transaction from your wallet as a PSBT file or base64 text.");
        }
        return Check(round, psbt);
    }

    public static Checked<UploadResult> Accept(SigningRound round, byte[]? upload)
    {
        if (upload is null || upload.Length == 0)
            return Refuse("The uploaded file is empty.");
        if (upload.Length > MaxUploadLength)
            return Refuse("This file is far too large to be the PSBT of an escrow spend.");
        PSBT psbt;
        try
        {
            psbt = PSBT.Load(upload, round.GetNetwork());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Wallets also save PSBTs as base64 text files.
            return Accept(round, System.Text.Encoding.ASCII.GetString(upload));
        }
        return Check(round, psbt);
    }

    private static Checked<UploadResult> Check(SigningRound round, PSBT upload)
    {
        var issued = PSBT.Parse(round.IssuedPsbt, round.GetNetwork());
        var issuedTx = issued.GetGlobalTransaction();
        var uploadTx = upload.GetGlobalTransaction();
        if (uploadTx.GetHash() != issuedTx.GetHash())
            return Refuse(DescribeDifference(issuedTx, uploadTx) + " Nothing from this upload was kept; download the current PSBT and sign that one.");

        var roleOf = round.Signers.ToDictionary(s => s.PubKey, s => s.Role);
        var found = new List<(EscrowRole Role, int Input, PubKey Key, TransactionSignature Sig)>();
        for (var i = 0; i < upload.Inputs.Count; i++)
        {
            var reference = issued.Inputs[i];
            foreach (var (key, sig) in upload.Inputs[i].PartialSigs)
            {
                if (!roleOf.TryGetValue(key.ToHex(), out var role))
                    return Refuse($"Input {i} carries a signature from a key that is not one of this escrow's three keys. Nothing was kept.");
                if (!round.Rule.Allows(role))
                    return Refuse($"The {role.Noun()} signed, but this {Describe(round.Kind)} is signed by {round.Rule.Describe()}. Nothing was kept.");
                if (sig.SigHash != SigHash.All)
                    return Refuse($"The {role.Noun()}'s signature on input {i} uses sighash type {sig.SigHash}; only SIGHASH_ALL is accepted, because only it commits to every input and output. Sign again with the default sighash.");
                var hash = issuedTx.GetSignatureHash(reference.WitnessScript, i, SigHash.All, reference.WitnessUtxo, HashVersion.WitnessV0);
                if (!key.Verify(hash, sig.Signature))
                    return Refuse($"The {role.Noun()}'s signature on input {i} does not sign this transaction: it was made for another transaction, or the PSBT was changed. Nothing was kept.");
                if (!sig.Signature.IsLowS)
                    return Refuse($"The {role.Noun()}'s signature on input {i} is in a form nodes do not relay (high S). Sign again with an up-to-date wallet.");
                found.Add((role, i, key, sig));
            }
        }

        if (found.Count == 0)
            return Refuse($"This PSBT carries no signature. Sign it in your wallet first, then upload the signed file. It needs {round.Rule.Describe()}.");
        foreach (var group in found.GroupBy(f => f.Role))
        {
            var signedInputs = group.Select(g => g.Input).Distinct().Count();
            if (signedInputs != upload.Inputs.Count)
                return Refuse($"The {group.Key.Noun()} signed {signedInputs} of the {upload.Inputs.Count} inputs; every input must be signed. Nothing was kept.");
        }

        var newRoles = found.Select(f => f.Role).Distinct().Where(r => !round.SignedBy.Contains(r)).ToList();
        var signedBy = Enum.GetValues<EscrowRole>().Where(r => round.SignedBy.Contains(r) || newRoles.Contains(r)).ToArray();
        if (!round.Rule.CanBePartOf(signedBy))
            return Refuse($"This {Describe(round.Kind)} is signed by {round.Rule.Describe()}; with {string.Join(" and ", signedBy.Select(r => "the " + r.Noun()))} it would not be. Nothing was kept.");
        if (newRoles.Count == 0)
            return Checked<UploadResult>.Ok(new UploadResult(round, []));

        var current = PSBT.Parse(round.Psbt, round.GetNetwork());
        foreach (var (_, input, key, sig) in found.Where(f => newRoles.Contains(f.Role)))
            current.Inputs[input].PartialSigs[key] = sig;
        var next = round with { Psbt = current.ToBase64(), SignedBy = signedBy };
        return Checked<UploadResult>.Ok(new UploadResult(next, newRoles));
    }

    /// <summary>Says what changed, so a party can tell a wrong file from a tampered one.</summary>
    private static string DescribeDifference(Transaction issued, Transaction upload)
    {
        if (issued.Inputs.Count != upload.Inputs.Count || issued.Inputs.Where((input, i) => input.PrevOut != upload.Inputs[i].PrevOut).Any())
            return $"This PSBT spends other coins than the escrow's (transaction {upload.GetHash()} instead of {issued.GetHash()}).";
        if (issued.Outputs.Count != upload.Outputs.Count)
            return $"This PSBT has {upload.Outputs.Count} outputs; the issued one has {issued.Outputs.Count}: outputs were added or removed.";
        for (var i = 0; i < issued.Outputs.Count; i++)
        {
            if (issued.Outputs[i].ScriptPubKey != upload.Outputs[i].ScriptPubKey)
                return $"Output {i} of this PSBT pays another address than the issued one.";
            if (issued.Outputs[i].Value != upload.Outputs[i].Value)
                return $"Output {i} of this PSBT pays {upload.Outputs[i].Value.Satoshi} sat; the issued one pays {issued.Outputs[i].Value.Satoshi} sat.";
        }
        if (issued.LockTime != upload.LockTime)
            return "The lock time of this PSBT was changed.";
        if (issued.Version != upload.Version || issued.Inputs.Where((input, i) => input.Sequence != upload.Inputs[i].Sequence).Any())
            return "The version or an input's sequence of this PSBT was changed.";
        return $"This PSBT is for another transaction ({upload.GetHash()} instead of {issued.GetHash()}).";
    }

    private static string Describe(SpendKind kind) => kind switch
    {
        SpendKind.Release => "release",
        SpendKind.ClientRefund => "refund",
        SpendKind.Ruling => "ruling",
        SpendKind.AgreedSplit => "agreed split",
        _ => "pre-signed refund",
    };

    private static Checked<UploadResult> Refuse(string message) => Checked<UploadResult>.Refused("psbt", message);
}
