using BTCPayServer.Plugins.Escrow.Core.Payouts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>The payout outbox: written in the same transaction as the decision, read by the dispatcher.</summary>
internal sealed class PayoutMapping : IEntityTypeConfiguration<PayoutInstruction>
{
    public void Configure(EntityTypeBuilder<PayoutInstruction> b)
    {
        b.ToTable("PayoutInstructions");
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).ValueGeneratedNever();
        b.HasPosition();
        b.ComplexProperty(p => p.Amount, ValueMapping.Money);
        b.ComplexProperty(p => p.PayoutAmount, ValueMapping.Money);
        b.Property(p => p.Description).HasMaxLength(200);
        b.Property(p => p.SourceInvoiceId).HasMaxLength(200);
        b.Property(p => p.LastError).HasMaxLength(1000);
        // One decision, one payout per recipient: the key is unique, so a second instruction for it is never stored.
        b.HasIndex(p => p.Key).IsUnique();
        // Payout-completed events find their instruction by pull payment.
        b.HasIndex(p => p.PullPaymentId);
        // The dispatcher asks for queued rows that are due; the filter keeps the index to the few rows still waiting.
        // Double-quoted identifiers and a string enum literal are valid in both PostgreSQL and SQLite.
        b.HasIndex(p => p.NextAttemptAt).HasDatabaseName("IX_PayoutInstructions_Queued_NextAttemptAt")
            .HasFilter($"\"Status\" = '{nameof(PayoutStatus.Queued)}'");
    }
}
