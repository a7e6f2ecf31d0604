using BTCPayServer.Plugins.Escrow.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>The standalone host's mail outbox; not tied to the contract graph (an email never blocks or undoes an act).</summary>
internal sealed class OutgoingEmailMapping : IEntityTypeConfiguration<OutgoingEmail>
{
    public void Configure(EntityTypeBuilder<OutgoingEmail> b)
    {
        b.ToTable("OutgoingEmails");
        b.HasKey(e => e.Id);
        b.Property(e => e.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
        b.Property(e => e.Recipient).HasMaxLength(320);
        b.Property(e => e.LastError).HasMaxLength(OutgoingEmail.MaxErrorLength);
        b.HasIndex(e => e.NextAttemptAt);
        b.HasIndex(e => new { e.StoreId, e.CreatedAt });
        b.Ignore(e => e.GaveUp);
    }
}
