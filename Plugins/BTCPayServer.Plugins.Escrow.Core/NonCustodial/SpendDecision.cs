using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

public enum SpendKind
{
    /// <summary>The client approved the work: client and freelancer sign.</summary>
    Release,
    /// <summary>A cooperative refund to the client (cancellation, missed deadline): client and agency sign.</summary>
    ClientRefund,
    /// <summary>The agency's dispute ruling: the agency and the party it favours sign (on a split, either party).</summary>
    Ruling,
    /// <summary>A split both parties agreed on without a ruling: client and freelancer sign.</summary>
    AgreedSplit,
    /// <summary>The time-locked refund freelancer and agency sign before the client funds.</summary>
    PresignedRefund,
}

/// <summary>
/// Who must sign a spend: any two of <see cref="Eligible"/>, one of them <see cref="Mandatory"/> when set. A split
/// ruling names the agency as mandatory with either party as the second signer, because each party gets money from
/// it and either may be the one who is reachable.
/// </summary>
public sealed record SignerRule(IReadOnlyList<EscrowRole> Eligible, EscrowRole? Mandatory)
{
    public bool Allows(EscrowRole role) => Eligible.Contains(role);

    /// <summary>Whether these signers (at most two) can still be completed into, or already are, a valid pair.</summary>
    public bool CanBePartOf(IReadOnlyCollection<EscrowRole> signers) =>
        signers.Count <= MilestoneEscrow.Threshold && signers.All(Allows)
        && (signers.Count < MilestoneEscrow.Threshold || Mandatory is null || signers.Contains(Mandatory.Value));

    public bool IsSatisfiedBy(IReadOnlyCollection<EscrowRole> signers) => signers.Count == MilestoneEscrow.Threshold && CanBePartOf(signers);

    public string Describe() => Mandatory is { } m && Eligible.Count > 2
        ? $"the {m.Noun()} and either {string.Join(" or ", Eligible.Where(r => r != m).Select(r => "the " + r.Noun()))}"
        : string.Join(" and ", Eligible.Select(r => "the " + r.Noun()));
}

/// <summary>
/// What a spend pays, in shares of everything the escrow holds: the freelancer's share and the agency fee, the client
/// getting the rest. Network fees are taken from the parties' shares later, by <see cref="SpendPlanner"/>.
/// </summary>
public sealed record SpendDecision(SpendKind Kind, Money? ToFreelancer, Money AgencyFee)
{
    /// <summary>Everything to the freelancer except the agency fee.</summary>
    public static SpendDecision Release(Money agencyFee) => new(SpendKind.Release, null, agencyFee);

    public static SpendDecision RefundClient() => new(SpendKind.ClientRefund, Money.Zero, Money.Zero);

    public static SpendDecision Rule(Money toFreelancer, Money agencyFee) => new(SpendKind.Ruling, toFreelancer, agencyFee);

    public static SpendDecision AgreedSplit(Money toFreelancer, Money agencyFee) => new(SpendKind.AgreedSplit, toFreelancer, agencyFee);

    internal static SpendDecision PresignedRefund() => new(SpendKind.PresignedRefund, Money.Zero, Money.Zero);

    /// <summary>Who signs this decision, given how it splits <paramref name="total"/>.</summary>
    public SignerRule Signers(Money total) => Kind switch
    {
        SpendKind.Release or SpendKind.AgreedSplit => new([EscrowRole.Client, EscrowRole.Freelancer], null),
        SpendKind.ClientRefund => new([EscrowRole.Client, EscrowRole.Agency], null),
        SpendKind.PresignedRefund => new([EscrowRole.Freelancer, EscrowRole.Agency], null),
        _ when FreelancerGross(total) == Money.Zero => new([EscrowRole.Agency, EscrowRole.Client], null),
        _ when ClientGross(total) == Money.Zero => new([EscrowRole.Agency, EscrowRole.Freelancer], null),
        _ => new([EscrowRole.Agency, EscrowRole.Client, EscrowRole.Freelancer], EscrowRole.Agency),
    };

    internal Money FreelancerGross(Money total) => ToFreelancer ?? total - AgencyFee;

    internal Money ClientGross(Money total) => total - AgencyFee - FreelancerGross(total);
}
