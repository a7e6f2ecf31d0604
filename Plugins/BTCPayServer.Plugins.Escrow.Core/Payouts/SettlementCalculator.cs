using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Core.Payouts;

/// <summary>
/// How the money a milestone holds is divided by one decision, in contract currency and in what is paid out.
/// <see cref="FeeKept"/> is the fee in the payout currency (BTC on a BTC-locked contract), so the three add up.
/// </summary>
public sealed record Settlement(Money ReleaseNet, Money Fee, Money Refund, Money ReleasePayout, Money RefundPayout, Money FeeKept);

public static class SettlementCalculator
{
    /// <summary>
    /// Divides what a milestone holds when <paramref name="freelancerShare"/> (of the milestone amount) goes to the freelancer.
    /// Freelancer-side fees come out of the share; a client-side fee is kept in proportion to the share and the rest
    /// of the client's payment is refunded. Rounding always favours the escrow, never pays out more than it holds.
    /// </summary>
    public static Settlement Settle(Milestone milestone, Money freelancerShare, FeePolicy fee, FxPolicy fx)
    {
        var held = milestone.Held;
        if (freelancerShare > milestone.Amount || freelancerShare.Amount < 0)
            throw new InvalidInputException("freelancerAmount", $"The freelancer's share must be between 0 and {milestone.Amount}.");
        var release = Money.Min(freelancerShare, held);
        Money releaseFee, clientFeeKept;
        if (fee.ChargedTo == FeePayer.Freelancer)
        {
            releaseFee = fee.FeeOn(release);
            clientFeeKept = Money.Zero(release.Currency);
        }
        else
        {
            releaseFee = Money.Zero(release.Currency);
            clientFeeKept = milestone.Amount.IsPositive
                ? Money.Min(milestone.ClientFee.MultiplyDown(release.Amount / milestone.Amount.Amount), held - release)
                : Money.Zero(release.Currency);
        }
        var net = release - releaseFee;
        var feeTotal = releaseFee + clientFeeKept;
        var refund = held - release - clientFeeKept;
        return WithPayouts(milestone, net, feeTotal, refund, fx);
    }

    /// <summary>Refund of everything the milestone holds (cancellation, missed deadline).</summary>
    public static Settlement RefundAll(Milestone milestone, FxPolicy fx)
    {
        var zero = Money.Zero(milestone.Amount.Currency);
        return WithPayouts(milestone, zero, zero, milestone.Held, fx);
    }

    /// <summary>
    /// A BTC-locked contract pays BTC only: each part gets the BTC received in proportion, rounded down. The few
    /// satoshis rounding leaves over go to the larger of the two payouts (release or refund), or to the fee when
    /// neither party is paid, so a milestone's BTC is always handed out in full and never beyond.
    /// Everything else pays the contract amount.
    /// </summary>
    private static Settlement WithPayouts(Milestone milestone, Money net, Money fee, Money refund, FxPolicy fx)
    {
        if (fx != FxPolicy.BtcLocked)
            return new Settlement(net, fee, refund, net, refund, fee);
        var held = milestone.Held;
        var heldBtc = held == milestone.Funded ? milestone.FundedBtc : BtcOf(milestone, held);
        var (netBtc, feeBtc, refundBtc) = (BtcOf(milestone, net), BtcOf(milestone, fee), BtcOf(milestone, refund));
        var left = Money.Max(heldBtc - netBtc - feeBtc - refundBtc, Money.Zero("BTC"));
        if (net.IsPositive && net >= refund)
            netBtc += left;
        else if (refund.IsPositive)
            refundBtc += left;
        else
            feeBtc += left;
        return new Settlement(net, fee, refund, netBtc, refundBtc, feeBtc);
    }

    private static Money BtcOf(Milestone milestone, Money part) =>
        milestone.Funded.IsPositive ? milestone.FundedBtc.MultiplyDown(part.Amount / milestone.Funded.Amount) : Money.Zero("BTC");
}
