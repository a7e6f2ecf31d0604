using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// The staff list's figures, kept on the contract row (in its currency) and rewritten by every save. The list and its
/// per-currency totals are then one plain query over contract rows, however many milestones and payments there are.
/// </summary>
internal static class ContractSummary
{
    public const string Total = "SummaryTotal";
    public const string Funded = "SummaryFunded";
    public const string Released = "SummaryReleased";
    public const string Refunded = "SummaryRefunded";
    public const string Outstanding = "SummaryOutstanding";
    public const string OpenDisputes = "SummaryOpenDisputes";

    private static readonly string[] Amounts = [Total, Funded, Released, Refunded, Outstanding];

    public static void Map(EntityTypeBuilder<Contract> contract)
    {
        foreach (var amount in Amounts)
            contract.Property<decimal>(amount).HasPrecision(ValueMapping.AmountPrecision, ValueMapping.AmountScale);
        contract.Property<int>(OpenDisputes);
    }

    /// <summary>The figures of the contract about to be saved, by column: amounts in its currency, and a count.</summary>
    public static Dictionary<string, object> Figures(Contract contract)
    {
        var ledger = contract.Ledger;
        var zero = Money.Zero(contract.Currency);
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            // What the contract is worth now: cancelled milestones (never funded, or amended away) no longer count.
            [Total] = contract.Milestones.Where(m => m.State != MilestoneState.Cancelled).Aggregate(zero, (sum, m) => sum + m.Amount).Amount,
            // Funded towards the amounts: a client-paid fee is funded with its milestone but is not part of the total.
            [Funded] = contract.Milestones.Aggregate(zero, (sum, m) => sum + Money.Min(m.Funded, m.Amount)).Amount,
            [Released] = ledger.ReleasedToFreelancer.Amount,
            [Refunded] = ledger.RefundedToClient.Amount,
            // Still to be paid by the client: what milestones waiting for funding lack.
            [Outstanding] = contract.Milestones.Where(m => m.State == MilestoneState.Pending).Aggregate(zero, (sum, m) => sum + m.Outstanding).Amount,
            [OpenDisputes] = contract.Disputes.Count(d => d.IsActive),
        };
    }

    /// <summary>Computes the figures from the contract about to be saved and sets them on its tracked row.</summary>
    public static void Write(DbContext db, Contract contract)
    {
        var row = db.Entry(contract);
        foreach (var (column, value) in Figures(contract))
        {
            var property = row.Property(column);
            if (!Equals(property.CurrentValue, value))
                property.CurrentValue = value;
        }
    }
}
