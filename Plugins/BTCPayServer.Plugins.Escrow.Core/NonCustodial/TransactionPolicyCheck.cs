using NBitcoin;
using NBitcoin.Policy;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// Would a Bitcoin Core node relay this fully signed transaction? Scripts under the standard verify flags (witness,
/// NULLDUMMY, NULLFAIL, low-S...), NBitcoin's standard policy, and the rules checked here directly because the policy's
/// defaults differ between NBitcoin versions: version, weight, output types, dust and a fee of at least 1 sat/vB.
/// Lock time and sequence finality depend on the chain's height, so <see cref="SandboxChain"/> checks those.
/// </summary>
public static class TransactionPolicyCheck
{
    public const int MaxStandardWeight = 400_000;
    public const decimal MinRelaySatPerVByte = 1m;

    /// <summary>Null when standard and valid, else what is wrong, in words.</summary>
    public static string? Problem(Transaction tx, IReadOnlyList<TxOut> spentOutputs)
    {
        if (spentOutputs.Count != tx.Inputs.Count)
            return "Each input needs the output it spends.";
        var basic = tx.Check();
        if (basic != TransactionCheckResult.Success)
            return $"The transaction is malformed ({basic}).";
        if (tx.Version is < 1 or > 2)
            return $"Transaction version {tx.Version} is not standard; escrow spends use version 2.";
        // vsize × 4 rounds the weight up by at most 3 WU: a hair stricter than a node, never looser.
        if (tx.GetVirtualSize() * 4 > MaxStandardWeight)
            return "The transaction is too large to be relayed.";

        var validator = tx.CreateValidator(spentOutputs.ToArray());
        validator.ScriptVerify = ScriptVerify.Standard;
        for (var i = 0; i < tx.Inputs.Count; i++)
        {
            var result = validator.ValidateInput(i);
            if (result.Error is { } error)
                return $"Input {i}: the signatures do not satisfy the script it spends ({error}).";
        }

        for (var i = 0; i < tx.Outputs.Count; i++)
        {
            var output = tx.Outputs[i];
            if (!IsStandardOutput(output.ScriptPubKey))
                return $"Output {i} pays a script type nodes do not relay.";
            if (!output.ScriptPubKey.IsUnspendable && DustThreshold.IsDust(output))
                return $"Output {i} pays {output.Value.Satoshi} sat, below the dust limit of {DustThreshold.For(output.ScriptPubKey).Satoshi} sat for its address type.";
        }

        var fee = spentOutputs.Select(o => o.Value).Sum() - tx.Outputs.Select(o => o.Value).Sum();
        if (fee < Money.Zero)
            return "The transaction pays out more than it spends.";
        var vsize = tx.GetVirtualSize();
        if (fee.Satoshi < MinRelaySatPerVByte * vsize)
            return $"The fee of {fee.Satoshi} sat for {vsize} vB is below the minimum relay fee of {MinRelaySatPerVByte} sat/vB.";

        var coins = tx.Inputs.Select((input, i) => (ICoin)new Coin(input.PrevOut, spentOutputs[i])).ToArray();
        var policy = new StandardTransactionPolicy
        {
            ScriptVerify = ScriptVerify.Standard,
            MinRelayTxFee = new FeeRate(Money.Satoshis(1_000)),
            CheckFee = true,
            CheckScriptPubKey = true,
        };
        var errors = policy.Check(tx, coins);
        return errors.Length == 0 ? null : "The transaction is not standard: " + string.Join("; ", errors.Select(e => e.ToString()));
    }

    private static bool IsStandardOutput(Script script) =>
        script.IsScriptType(ScriptType.P2PKH) || script.IsScriptType(ScriptType.P2SH) || script.IsScriptType(ScriptType.P2WPKH)
        || script.IsScriptType(ScriptType.P2WSH) || script.IsScriptType(ScriptType.Taproot)
        || (script.IsUnspendable && script.Length <= 83);
}
