using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// Bitcoin Core's dust rule at its default dust relay fee (3 sat/vB): an output is dust when spending it would cost more
/// than it holds. Computed here so it does not depend on which NBitcoin BTCPay loads (P2PKH 546, P2SH 540, P2WPKH 294,
/// P2WSH and P2TR 330 sat).
/// </summary>
public static class DustThreshold
{
    private const long DustRelaySatPerKvB = 3_000;

    public static Money For(Script scriptPubKey)
    {
        var outputSize = EscrowTxSize.OutputSize(scriptPubKey);
        // An input spending it: outpoint 36 + script length 1 + sequence 4, plus its scriptSig or a quarter of its witness.
        var spendSize = scriptPubKey.IsScriptType(ScriptType.Witness) ? 32 + 4 + 1 + 107 / 4 + 4 : 32 + 4 + 1 + 107 + 4;
        return Money.Satoshis(DustRelaySatPerKvB * (outputSize + spendSize) / 1000);
    }

    public static bool IsDust(TxOut output) => output.Value < For(output.ScriptPubKey);
}
