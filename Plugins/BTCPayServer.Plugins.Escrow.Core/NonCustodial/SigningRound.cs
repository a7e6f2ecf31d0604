using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>One of the escrow's three keys in a round, as stored: role and compressed public key in hex.</summary>
public sealed record RoundSigner(EscrowRole Role, string PubKey);

/// <summary>
/// The state of collecting two signatures for one escrow spend, in plain values (base64 PSBTs, hex keys, role
/// names) so a store can persist it as is. <see cref="IssuedPsbt"/> never changes: every upload is checked against
/// it, never against what an upload claims. <see cref="Psbt"/> is the issued PSBT plus the signatures accepted so far,
/// and is what a party downloads to sign.
/// </summary>
public sealed record SigningRound(
    SpendKind Kind,
    string NetworkName,
    string UnsignedTxId,
    string IssuedPsbt,
    string Psbt,
    IReadOnlyList<RoundSigner> Signers,
    SignerRule Rule,
    IReadOnlyList<EscrowRole> SignedBy)
{
    public static SigningRound Open(MilestoneEscrow escrow, SpendPlan plan, PSBT psbt)
    {
        var base64 = psbt.ToBase64();
        return new SigningRound(plan.Kind, escrow.Network.Name, psbt.GetGlobalTransaction().GetHash().ToString(), base64, base64,
            escrow.Signers.Select(s => new RoundSigner(s.Role, s.PubKey.ToHex())).ToArray(), plan.Signers, []);
    }

    /// <summary>A method, not a property, so the round serialises as plain values.</summary>
    public Network GetNetwork() => Network.GetNetwork(NetworkName) ?? throw new InvalidOperationException($"Unknown network '{NetworkName}'.");

    public bool IsComplete => Rule.IsSatisfiedBy(SignedBy);

    /// <summary>Who can still sign, in words for the parties' pages ("the client and the freelancer", "the agency or ...").</summary>
    public string StillNeeded()
    {
        if (IsComplete)
            return "nobody: both signatures are in";
        var open = Rule.Eligible.Where(r => !SignedBy.Contains(r) && Rule.CanBePartOf([.. SignedBy, r])).Select(r => "the " + r.Noun()).ToList();
        return SignedBy.Count == 0 ? Rule.Describe() : string.Join(" or ", open);
    }

    /// <summary>Checks an uploaded PSBT (base64 or hex text) and keeps its new, valid signatures.</summary>
    public Checked<UploadResult> Accept(string? upload) => PsbtUploadCheck.Accept(this, upload);

    /// <summary>The same for an uploaded binary PSBT file.</summary>
    public Checked<UploadResult> Accept(byte[]? upload) => PsbtUploadCheck.Accept(this, upload);

    /// <summary>
    /// Builds the witnesses from the two signatures, extracts the transaction and checks it would be relayed. The
    /// lock time against the chain is not checked here (a pre-signed refund is finalised long before it is final).
    /// </summary>
    public Checked<FinalisedSpend> Finalise()
    {
        if (!IsComplete)
            return Checked<FinalisedSpend>.Refused("psbt", $"The transaction is not signed enough yet: still waiting for {StillNeeded()}.");
        var psbt = PSBT.Parse(Psbt, GetNetwork());
        var tx = psbt.GetGlobalTransaction();
        var spent = new List<TxOut>();
        for (var i = 0; i < psbt.Inputs.Count; i++)
        {
            var input = psbt.Inputs[i];
            var script = input.WitnessScript!;
            var keyOrder = PayToMultiSigTemplate.Instance.ExtractScriptPubKeyParameters(script)!.PubKeys;
            // CHECKMULTISIG needs the signatures in the order of their keys in the script, after the dummy empty push.
            var sigs = keyOrder.Where(k => input.PartialSigs.ContainsKey(k)).Select(k => input.PartialSigs[k].ToBytes()).ToList();
            tx.Inputs[i].WitScript = new WitScript([[], .. sigs, script.ToBytes()]);
            spent.Add(input.WitnessUtxo!);
        }
        if (TransactionPolicyCheck.Problem(tx, spent) is { } problem)
            return Checked<FinalisedSpend>.Refused("psbt", problem);
        var fee = spent.Select(o => o.Value).Sum() - tx.Outputs.Select(o => o.Value).Sum();
        return Checked<FinalisedSpend>.Ok(new FinalisedSpend(tx, fee));
    }
}

public sealed record UploadResult(SigningRound Round, IReadOnlyList<EscrowRole> NewSigners);

/// <summary>A fully signed escrow spend, ready to broadcast (or to hand to the client, for a pre-signed refund).</summary>
public sealed record FinalisedSpend(Transaction Transaction, Money Fee)
{
    public uint256 TxId => Transaction.GetHash();
    public string Hex => Transaction.ToHex();
    public int VirtualSize => Transaction.GetVirtualSize();
}
