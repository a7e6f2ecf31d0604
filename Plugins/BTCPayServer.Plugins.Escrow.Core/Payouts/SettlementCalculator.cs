using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Core.Payouts;

/// <summary>How the money a milestone holds is divided by one decision, in contract currency and in what is paid out.</summary>
public sealed record Settlement(Money ReleaseNet, Money Fee, Money Refund, Money ReleasePayout, Money RefundPayout);

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
        return new Settlement(net, feeTotal, refund, PayoutValue(milestone, net, fx), PayoutValue(milestone, refund, fx));
    }

    /// <summary>Refund of everything the milestone holds (cancellation, missed deadline).</summary>
    public static Settlement RefundAll(Milestone milestone, FxPolicy fx)
    {
        var zero = Money.Zero(milestone.Amount.Currency);
        return new Settlement(zero, zero, milestone.Held, PayoutValue(milestone, zero, fx), PayoutValue(milestone, milestone.Held, fx));
    }

    /// <summary>BTC-locked contracts pay the BTC received in proportion; everything else pays the contract amount.</summary>
    public static Money PayoutValue(Milestone milestone, Money part, FxPolicy fx)
    {
        if (fx != FxPolicy.BtcLocked || !milestone.FundedBtc.IsPositive || !milestone.Funded.IsPositive)
            return part;
        return milestone.FundedBtc.MultiplyDown(part.Amount / milestone.Funded.Amount);
    }
}
