namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// What a non-custodial page knows about the chain when it is read: the height, when the chain answered (never a
/// guess), and the network fee rate the store chose for escrow transactions (null: the node's estimate at signing time).
/// </summary>
public sealed record EscrowChainNow(int? Height, decimal? StoreFeeRate)
{
    public static readonly EscrowChainNow Unknown = new(null, null);

    /// <summary>The average block interval the date estimates use; blocks come irregularly, so the pages say "estimated".</summary>
    public static readonly TimeSpan BlockInterval = TimeSpan.FromMinutes(10);

    /// <summary>When a pre-signed refund locked to <paramref name="refundHeight"/> can be sent, in words.</summary>
    public string RefundValidity(uint refundHeight, DateTimeOffset now)
    {
        if (Height is not { } height)
            return $"valid from block {refundHeight}; the current block height is unknown right now (the bitcoin chain is not reachable)";
        if (height >= refundHeight)
            return $"valid now: block {refundHeight} is reached (the chain is at block {height})";
        var blocks = refundHeight - height;
        return $"valid from block {refundHeight}; the chain is at block {height}, {blocks} blocks to go: estimated {Display.Time(now + blocks * BlockInterval)} (about 10 minutes a block, an estimate)";
    }

    /// <summary>How the network fee of a spend not yet prepared will be set, in words.</summary>
    public string FeeRateWords => StoreFeeRate is { } rate
        ? $"at the agency's chosen rate of {rate.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} sat/vB"
        : "at the rate the bitcoin network asks for then";
}
