using BTCPayServer.Plugins.Escrow.Core.Disputes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

internal sealed class DisputeMapping : IEntityTypeConfiguration<Dispute>
{
    public void Configure(EntityTypeBuilder<Dispute> b)
    {
        b.ToTable("Disputes");
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).ValueGeneratedNever();
        b.HasPosition();
        b.Property(d => d.Reason).HasMaxLength(Dispute.MaxTextLength);
        b.Property(d => d.RulingReason).HasMaxLength(Dispute.MaxTextLength);
        // Null until the dispute is resolved: both columns are then null.
        b.ComplexProperty(d => d.FreelancerShare, ValueMapping.Money);
        b.Ignore(d => d.OpenProposal);
        b.Ignore(d => d.IsActive);
        b.HasMany(d => d.Messages).WithOne().HasForeignKey(m => m.DisputeId);
        b.HasMany(d => d.Proposals).WithOne().HasForeignKey(p => p.DisputeId);
    }
}

internal sealed class SplitProposalMapping : IEntityTypeConfiguration<SplitProposal>
{
    public void Configure(EntityTypeBuilder<SplitProposal> b)
    {
        b.ToTable("SplitProposals");
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).ValueGeneratedNever();
        b.HasPosition();
        b.ComplexProperty(p => p.FreelancerAmount, ValueMapping.Money);
        b.Property(p => p.Note).HasMaxLength(Dispute.MaxTextLength);
    }
}

internal sealed class DisputeMessageMapping : IEntityTypeConfiguration<DisputeMessage>
{
    public void Configure(EntityTypeBuilder<DisputeMessage> b)
    {
        b.ToTable("DisputeMessages");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.HasPosition();
        b.Property(m => m.Text).HasMaxLength(Dispute.MaxTextLength);
    }
}
