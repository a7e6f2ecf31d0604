using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// Milestones are keyed within their contract: their ids come from submitted terms, so two contracts could name the
/// same id without that being an error.
/// </summary>
internal sealed class MilestoneMapping : IEntityTypeConfiguration<Milestone>
{
    public void Configure(EntityTypeBuilder<Milestone> b)
    {
        b.ToTable("Milestones");
        b.HasKey(m => new { m.ContractId, m.Id });
        b.HasPosition();
        b.Property(m => m.Title).HasMaxLength(ContractTerms.MaxTitleLength);
        b.Property(m => m.Deliverable).HasMaxLength(ContractTerms.MaxDeliverableLength);
        b.ComplexProperty(m => m.Amount, ValueMapping.Money);
        b.ComplexProperty(m => m.ClientFee, ValueMapping.Money);
        b.ComplexProperty(m => m.Funded, ValueMapping.Money);
        b.ComplexProperty(m => m.FundedBtc, ValueMapping.Money);
        b.ComplexProperty(m => m.ReleasedToFreelancer, ValueMapping.Money);
        b.ComplexProperty(m => m.FeesRetained, ValueMapping.Money);
        b.ComplexProperty(m => m.RefundedToClient, ValueMapping.Money);
        b.HasMany(m => m.ReviewEntries).WithOne().HasForeignKey("ContractId", nameof(ReviewEntry.MilestoneId));
    }
}

internal sealed class ReviewEntryMapping : IEntityTypeConfiguration<ReviewEntry>
{
    public void Configure(EntityTypeBuilder<ReviewEntry> b)
    {
        b.ToTable("ReviewEntries");
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedNever();
        b.HasPosition();
        b.Property(e => e.Message).HasMaxLength(ReviewEntry.MaxMessageLength);
        // Links and FileHashes are primitive collections: a text[] on PostgreSQL, a JSON array on SQLite.
    }
}
