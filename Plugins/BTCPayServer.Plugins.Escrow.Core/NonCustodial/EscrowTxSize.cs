using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The virtual size of an escrow spend, counted from the 2-of-3 P2WSH witness template instead of NBitcoin's estimate
/// (which under-counts these scripts by about 15%). Signatures are counted at their largest (72-byte DER + sighash
/// byte), so the real transaction is never bigger than estimated and never pays below the chosen fee rate.
/// </summary>
public static class EscrowTxSize
{
    /// <summary>Outpoint 36 + empty scriptSig length 1 + sequence 4.</summary>
    public const int InputBaseSize = 41;

    /// <summary>Items count 1 + empty CHECKMULTISIG dummy 1 + two signatures (1 + 73) + witness script (1 + 105).</summary>
    public const int InputWitnessSize = 1 + 1 + 2 * (1 + 73) + 1 + 105;

    /// <summary>Version 4 + input count 1 + output count 1 + lock time 4.</summary>
    private const int TxBaseSize = 10;

    /// <summary>Segwit marker and flag, counted at witness weight.</summary>
    private const int SegwitMarkerWeight = 2;

    public static int OutputSize(Script scriptPubKey)
    {
        var length = scriptPubKey.Length;
        return 8 + VarIntSize(length) + length;
    }

    public static int Weight(int inputCount, IEnumerable<Script> outputs)
    {
        var outputList = outputs.ToList();
        var baseSize = TxBaseSize - 2 + VarIntSize(inputCount) + VarIntSize(outputList.Count)
                       + inputCount * InputBaseSize + outputList.Sum(OutputSize);
        return baseSize * 4 + SegwitMarkerWeight + inputCount * InputWitnessSize;
    }

    public static int VirtualSize(int inputCount, IEnumerable<Script> outputs) => (Weight(inputCount, outputs) + 3) / 4;

    private static int VarIntSize(int n) => n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}
