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

    /// <summary>Computes the figures from the contract about to be saved and sets them on its row.</summary>
    public static void Write(DbContext db, Contract contract)
    {
        var ledger = contract.Ledger;
        var zero = Money.Zero(contract.Currency);
        var row = db.Entry(contract);
        // What the contract is worth now: cancelled milestones (never funded, or amended away) no longer count.
        Set(row, Total, contract.Milestones.Where(m => m.State != MilestoneState.Cancelled).Aggregate(zero, (sum, m) => sum + m.Amount));
        // Funded towards the amounts: a client-paid fee is funded with its milestone but is not part of the total.
        Set(row, Funded, contract.Milestones.Aggregate(zero, (sum, m) => sum + Money.Min(m.Funded, m.Amount)));
        Set(row, Released, ledger.ReleasedToFreelancer);
        Set(row, Refunded, ledger.RefundedToClient);
        // Still to be paid by the client: what milestones waiting for funding lack.
        Set(row, Outstanding, contract.Milestones.Where(m => m.State == MilestoneState.Pending).Aggregate(zero, (sum, m) => sum + m.Outstanding));
        var disputes = row.Property<int>(OpenDisputes);
        var open = contract.Disputes.Count(d => d.IsActive);
        if (disputes.CurrentValue != open)
            disputes.CurrentValue = open;
    }

    private static void Set(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Contract> row, string column, Money value)
    {
        var property = row.Property<decimal>(column);
        if (property.CurrentValue != value.Amount)
            property.CurrentValue = value.Amount;
    }
}
