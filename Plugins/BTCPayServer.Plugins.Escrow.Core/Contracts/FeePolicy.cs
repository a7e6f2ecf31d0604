using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>The agency's fee per milestone: a percent and/or a fixed amount, paid by one side.</summary>
public sealed record FeePolicy
{
    public const decimal MaxPercent = 50m;

    // For storage only: EF Core cannot pass a nested complex value (FixedPerMilestone) to a constructor.
    private FeePolicy() { }

    private FeePolicy(decimal percent, Money fixedPerMilestone, FeePayer chargedTo)
    {
        Percent = percent;
        FixedPerMilestone = fixedPerMilestone;
        ChargedTo = chargedTo;
    }

    public decimal Percent { get; private init; }
    public Money FixedPerMilestone { get; private init; }
    public FeePayer ChargedTo { get; private init; }

    public static FeePolicy None(string currency) => new(0m, Money.Zero(currency), FeePayer.Freelancer);

    public static FeePolicy Create(decimal percent, Money fixedPerMilestone, FeePayer chargedTo)
    {
        if (percent < 0 || percent > MaxPercent)
            throw new InvalidInputException("fee.percent", $"The fee percent must be between 0 and {MaxPercent}.");
        if (decimal.Round(percent, 2) != percent)
            throw new InvalidInputException("fee.percent", "The fee percent may have at most 2 decimals.");
        if (!Enum.IsDefined(chargedTo))
            throw new InvalidInputException("fee.chargedTo", "Choose who pays the fee: the freelancer or the client.");
        return new FeePolicy(percent, fixedPerMilestone, chargedTo);
    }

    public bool IsFree => Percent == 0 && FixedPerMilestone.IsZero;

    /// <summary>Fee on a share of a milestone: percent of it plus the fixed part, never more than the share itself.</summary>
    public Money FeeOn(Money share)
    {
        if (!share.IsPositive)
            return Money.Zero(share.Currency);
        var fee = share.MultiplyDown(Percent / 100m) + FixedPerMilestone;
        return Money.Min(fee, share);
    }

    /// <summary>What the client's invoice adds on top of the milestone amount.</summary>
    public Money ClientSurcharge(Money milestoneAmount) =>
        ChargedTo == FeePayer.Client ? FeeOn(milestoneAmount) : Money.Zero(milestoneAmount.Currency);
}
