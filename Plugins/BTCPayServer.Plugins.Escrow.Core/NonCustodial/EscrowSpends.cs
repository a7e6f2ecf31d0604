using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// Builds the unsigned PSBTs of a milestone escrow and opens their signing rounds: the pre-signed refund before
/// funding, and release / refund / ruling spends after it.
/// </summary>
public static class EscrowSpends
{
    /// <summary>BIP-125 opt-in RBF and lock time enforced: the sequence every escrow input uses.</summary>
    public const uint InputSequence = 0xfffffffd;

    /// <summary>
    /// The time-locked refund of everything to the client, for freelancer and agency to sign before the client funds.
    /// Its fee is fixed now, so <paramref name="satPerVByte"/> should be a conservative rate; the client can add to it
    /// later with a child transaction (CPFP) spending the refund output.
    /// </summary>
    public static Checked<SigningRound> PresignedRefund(MilestoneEscrow escrow, IReadOnlyList<EscrowCoin> coins, BitcoinAddress clientAddress,
        uint refundHeight, decimal satPerVByte)
    {
        if (refundHeight is 0 or >= 500_000_000)
            return Checked<SigningRound>.Refused("refundHeight", "The refund height must be a block height (between 1 and 499,999,999).");
        return Propose(escrow, coins, SpendDecision.PresignedRefund(), new Payees(clientAddress, clientAddress), satPerVByte, refundHeight);
    }

    /// <summary>A release, cooperative refund, ruling or agreed split, to be signed by the two parties its kind requires.</summary>
    public static Checked<SigningRound> Propose(MilestoneEscrow escrow, IReadOnlyList<EscrowCoin> coins, SpendDecision decision, Payees payees, decimal satPerVByte)
    {
        if (decision.Kind == SpendKind.PresignedRefund)
            throw new ArgumentException("The pre-signed refund has its own builder, with its lock time.", nameof(decision));
        return Propose(escrow, coins, decision, payees, satPerVByte, lockTime: 0);
    }

    private static Checked<SigningRound> Propose(MilestoneEscrow escrow, IReadOnlyList<EscrowCoin> coins, SpendDecision decision, Payees payees,
        decimal satPerVByte, uint lockTime)
    {
        if (CheckCoins(escrow, coins) is { } coinProblem)
            return Checked<SigningRound>.Refused("coins", coinProblem);
        var total = coins.Select(c => c.Amount).Sum();
        var planned = SpendPlanner.Plan(decision, total, coins.Count, payees, satPerVByte, escrow.Network);
        if (!planned.IsValid)
            return planned.Pass<SigningRound>();
        var plan = planned.Value!;
        var psbt = Build(escrow, coins, plan, lockTime);
        return Checked<SigningRound>.Ok(SigningRound.Open(escrow, plan, psbt));
    }

    private static string? CheckCoins(MilestoneEscrow escrow, IReadOnlyList<EscrowCoin> coins)
    {
        if (coins.Count == 0)
            return "The escrow address has no funding output to spend.";
        if (coins.Select(c => c.OutPoint).Distinct().Count() != coins.Count)
            return "The same funding output is listed twice.";
        foreach (var coin in coins)
        {
            if (coin.Amount <= Money.Zero || coin.Amount > Money.Coins(21_000_000))
                return $"The funding output {coin.OutPoint} has an impossible amount.";
            if (coin.FundingTransaction is { } funding)
            {
                if (funding.GetHash() != coin.OutPoint.Hash || coin.OutPoint.N >= funding.Outputs.Count)
                    return $"The funding transaction given for {coin.OutPoint} is another transaction.";
                var output = funding.Outputs[(int)coin.OutPoint.N];
                if (output.ScriptPubKey != escrow.ScriptPubKey || output.Value != coin.Amount)
                    return $"The funding output {coin.OutPoint} does not pay {coin.Amount.Satoshi} sat to this milestone's escrow address.";
            }
        }
        return null;
    }

    private static PSBT Build(MilestoneEscrow escrow, IReadOnlyList<EscrowCoin> coins, SpendPlan plan, uint lockTime)
    {
        var tx = escrow.Network.CreateTransaction();
        tx.Version = 2;
        tx.LockTime = new LockTime(lockTime);
        foreach (var coin in coins.OrderBy(c => c.OutPoint.Hash.ToString(), StringComparer.Ordinal).ThenBy(c => c.OutPoint.N))
            tx.Inputs.Add(new TxIn(coin.OutPoint) { Sequence = InputSequence });
        // BIP-69 order: outputs do not reveal which one is whose by position.
        foreach (var output in plan.Outputs.OrderBy(o => o.Amount.Satoshi).ThenBy(o => o.Address.ScriptPubKey.ToHex(), StringComparer.Ordinal))
            tx.Outputs.Add(new TxOut(output.Amount, output.Address));

        var psbt = PSBT.FromTransaction(tx, escrow.Network);
        foreach (var input in psbt.Inputs)
        {
            var coin = coins.Single(c => c.OutPoint == input.PrevOut);
            input.WitnessUtxo = new TxOut(coin.Amount, escrow.ScriptPubKey);
            if (coin.FundingTransaction is not null)
                input.NonWitnessUtxo = coin.FundingTransaction;
            input.WitnessScript = escrow.WitnessScript;
            input.SighashType = SigHash.All;
            foreach (var signer in escrow.Signers)
                input.AddKeyPath(signer.PubKey, signer.KeyPath);
        }
        return psbt;
    }
}
