using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The client's funding transaction, known before it is broadcast. The pre-signed refund spends its output, so the
/// refund can only be signed once the funding txid is fixed: the client builds the funding PSBT in their wallet,
/// uploads it unsigned, freelancer and agency sign the refund against it, and only then does the client sign and
/// broadcast. That works only if signing cannot change the txid, i.e. every funding input is segwit.
/// </summary>
public sealed record FundingProposal(OutPoint OutPoint, Money Amount, Transaction Transaction)
{
    public EscrowCoin Coin => new(OutPoint, Amount, Transaction);

    /// <summary>Checks the client's (unsigned or signed) funding PSBT against the milestone's address and amount.</summary>
    public static Checked<FundingProposal> Inspect(string? psbtText, MilestoneEscrow escrow, Money expected)
    {
        if (string.IsNullOrWhiteSpace(psbtText))
            return Refuse("Upload the funding transaction your wallet prepared (a PSBT), before signing it.");
        PSBT psbt;
        try
        {
            psbt = PSBT.Parse(psbtText.Trim(), escrow.Network);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refuse("This is not a PSBT. In your wallet, prepare the payment to the escrow address and export it unsigned as a PSBT.");
        }

        var tx = psbt.GetGlobalTransaction();
        var toEscrow = tx.Outputs.Select((o, i) => (Output: o, Index: i)).Where(x => x.Output.ScriptPubKey == escrow.ScriptPubKey).ToList();
        if (toEscrow.Count == 0)
            return Refuse($"This transaction does not pay the milestone's escrow address {escrow.Address}.");
        if (toEscrow.Count > 1)
            return Refuse("This transaction pays the escrow address more than once; pay it in a single output.");
        var (output, index) = toEscrow[0];
        if (output.Value != expected)
            return Refuse($"This transaction pays {output.Value.Satoshi} sat to the escrow; the milestone is {expected.Satoshi} sat. Prepare it again for the exact amount.");

        for (var i = 0; i < psbt.Inputs.Count; i++)
        {
            var input = psbt.Inputs[i];
            var spent = input.WitnessUtxo ?? input.NonWitnessUtxo?.Outputs.ElementAtOrDefault((int)tx.Inputs[i].PrevOut.N);
            if (spent is null)
                return Refuse($"Input {i} does not say which output it spends; export the PSBT with its UTXO information.");
            var script = spent.ScriptPubKey;
            var segwit = script.IsScriptType(ScriptType.Witness)
                         || (script.IsScriptType(ScriptType.P2SH) && input.RedeemScript is { } redeem && redeem.IsScriptType(ScriptType.Witness)
                             && redeem.Hash.ScriptPubKey == script);
            if (!segwit)
                return Refuse($"Input {i} spends a legacy (non-segwit) output. Its signature would change the transaction id, so the pre-signed refund would no longer match. Pay from a segwit address of your wallet (bc1q…/bc1p…).");
        }
        return Checked<FundingProposal>.Ok(new FundingProposal(new OutPoint(tx.GetHash(), index), output.Value, tx));
    }

    /// <summary>Whether a transaction seen on chain is this funding (same txid: signing did not change it).</summary>
    public bool IsFundedBy(Transaction seen) => seen.GetHash() == OutPoint.Hash;

    private static Checked<FundingProposal> Refuse(string message) => Checked<FundingProposal>.Refused("funding", message);
}
