using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>The contract row (terms in force, credit, audit head, timer, the small lists as JSON) and the child tables of the aggregate.</summary>
internal sealed class ContractMapping : IEntityTypeConfiguration<Contract>
{
    public void Configure(EntityTypeBuilder<Contract> b)
    {
        b.ToTable("Contracts");
        b.HasKey(c => c.Id);
        // Ids are made by the domain. Without this, EF treats a new child that already has an id as an existing row.
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.StoreId).HasMaxLength(Contract.MaxStoreIdLength);
        b.Property(c => c.Title).HasMaxLength(ContractTerms.MaxTitleLength);
        b.Property(c => c.Currency).HasMaxLength(ValueMapping.CurrencyLength);
        b.Property(c => c.AuditHeadHash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.Property(c => c.AuditProblem).HasMaxLength(Core.Application.AuditGuard.MaxProblemLength);

        b.ComplexProperty(c => c.Client, ValueMapping.Party);
        b.ComplexProperty(c => c.Freelancer, ValueMapping.Party);
        b.ComplexProperty(c => c.Fee, fee =>
        {
            fee.Property(f => f.Percent).HasPrecision(5, 2);
            fee.ComplexProperty(f => f.FixedPerMilestone, ValueMapping.Money);
        });
        b.ComplexProperty(c => c.Credit, ValueMapping.Money);
        b.ComplexProperty(c => c.CreditBtc, ValueMapping.Money);

        // Computed from the lists, or (audit entries) appended by the store itself: not navigations.
        b.Ignore(c => c.UnsavedAuditEntries);
        b.Ignore(c => c.Ledger);
        b.Ignore(c => c.LatestTermsVersion);

        ContractJson.Map(b);
        NonCustodialMapping.Map(b);
        b.HasMany(c => c.Invoices).WithOne().HasForeignKey(i => i.ContractId);
        b.HasMany(c => c.Payouts).WithOne().HasForeignKey(p => p.ContractId);

        ContractSummary.Map(b);

        // The staff list shows a store's contracts, most recently changed first.
        b.HasIndex(c => new { c.StoreId, c.UpdatedAt });
        // The timer sweep asks for contracts whose next timer is due.
        b.HasIndex(c => c.NextTimerAt);
        // The dispute queue asks for a store's contracts with an open dispute (their disputes are in the JSON column).
        b.HasIndex(c => c.StoreId).HasDatabaseName("IX_Contracts_StoreId_OpenDisputes")
            .HasFilter($"\"{ContractSummary.OpenDisputes}\" > 0");
    }
}
