using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

public sealed record PartyData(string Name, string Email);

public sealed record FeeData(string Percent, string Fixed, FeePayer ChargedTo);

/// <summary>The latest terms version offered to the parties: what they accept, by its SHA-256 hash.</summary>
public sealed record TermsVersionData(int Number, string Hash, long OfferedTime, long? ClientAcceptedTime, long? FreelancerAcceptedTime);

/// <summary>How many party links of one party work now (their tokens are never shown again).</summary>
public sealed record PartyLinksData(PartyRole Role, int ActiveLinks, long? LastIssuedTime);

public sealed record MilestoneData(
    Guid Id, int Number, string Title, string Deliverable, string Amount, string ClientFee, string? DueDate, int? ReviewWindow,
    MilestoneState State, string Funded, string Held, string Released, string FeesRetained, string Refunded,
    long? SubmittedTime, long? ReviewDeadline, long? ClosedTime);

/// <summary>
/// A contract as the API shows it. Amounts are strings in <see cref="Currency"/> with its decimals; times are Unix
/// seconds; review windows are days. <see cref="Version"/> changes with every save: send it back when changing the
/// contract, and a stale one is answered 409. <see cref="NonCustodial"/> is given when <see cref="Custody"/> is
/// <c>NonCustodial</c> (keys, each milestone's multisig escrow, the spends to sign), else null.
/// </summary>
public sealed record ContractResource(
    Guid Id, string StoreId, long Version, ContractState State, string Title, string Scope,
    PartyData Client, PartyData Freelancer, string Currency, FxPolicy Fx, FeeData Fee, OverpaymentHandling Overpayment,
    int ReviewWindow, int DisputeResponseWindow, string Total, string Credit,
    IReadOnlyList<MilestoneData> Milestones, TermsVersionData? LatestTerms, int EffectiveTermsVersion,
    IReadOnlyList<PartyLinksData> PartyLinks, string? AuditProblem, long CreatedTime, long UpdatedTime, long? ClosedTime,
    CustodyMode Custody, NonCustodialData? NonCustodial)
{
    public static ContractResource Of(Contract c, DateTimeOffset now) => new(
        c.Id, c.StoreId, c.Revision, c.State, c.Title, c.Scope,
        new PartyData(c.Client.Name, c.Client.Email), new PartyData(c.Freelancer.Name, c.Freelancer.Email),
        c.Currency, c.Fx, FeeOf(c.Fee), c.Overpayment, Days(c.ReviewWindow), Days(c.DisputeResponseWindow),
        // Milestones an amendment removed stay listed (cancelled) but are no longer part of the total.
        c.Milestones.Where(m => m.State != MilestoneState.Cancelled || c.State == ContractState.Cancelled)
            .Aggregate(Money.Zero(c.Currency), (sum, m) => sum + m.Amount).FormatAmount(),
        c.Credit.FormatAmount(),
        c.Milestones.OrderBy(m => m.Number).Select(MilestoneOf).ToList(),
        c.LatestTermsVersion is { } v ? new TermsVersionData(v.Number, v.Hash, UnixTime.Of(v.OfferedAt), UnixTime.Of(v.ClientAcceptedAt), UnixTime.Of(v.FreelancerAcceptedAt)) : null,
        c.EffectiveTermsVersion,
        [LinksOf(c, PartyRole.Client, now), LinksOf(c, PartyRole.Freelancer, now)],
        c.AuditProblem is null ? null : "This contract's audit log does not verify; no money moves for it until the agency investigates.",
        UnixTime.Of(c.CreatedAt), UnixTime.Of(c.UpdatedAt), UnixTime.Of(c.ClosedAt),
        c.Custody, c.IsNonCustodial ? NonCustodialData.Of(c.NonCustodial) : null);

    public static FeeData FeeOf(FeePolicy fee) =>
        new(fee.Percent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), fee.FixedPerMilestone.FormatAmount(), fee.ChargedTo);

    private static MilestoneData MilestoneOf(Milestone m) => new(
        m.Id, m.Number, m.Title, m.Deliverable, m.Amount.FormatAmount(), m.ClientFee.FormatAmount(), m.DueDate?.ToString("yyyy-MM-dd"),
        m.ReviewWindow is { } w ? Days(w) : null, m.State, m.Funded.FormatAmount(), m.Held.FormatAmount(),
        m.ReleasedToFreelancer.FormatAmount(), m.FeesRetained.FormatAmount(), m.RefundedToClient.FormatAmount(),
        UnixTime.Of(m.SubmittedAt), UnixTime.Of(m.ReviewDeadline), UnixTime.Of(m.ClosedAt));

    private static PartyLinksData LinksOf(Contract c, PartyRole role, DateTimeOffset now)
    {
        var active = c.ActiveLinks(role, now);
        return new PartyLinksData(role, active.Count, active.Count == 0 ? null : UnixTime.Of(active.Max(a => a.IssuedAt)));
    }

    private static int Days(TimeSpan window) => (int)Math.Round(window.TotalDays);
}

public static class UnixTime
{
    public static long Of(DateTimeOffset at) => at.ToUnixTimeSeconds();

    public static long? Of(DateTimeOffset? at) => at?.ToUnixTimeSeconds();
}
