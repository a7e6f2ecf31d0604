using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// The hash chain, one row per entry. Append-only: the migrations add triggers that reject UPDATE and DELETE, and the
/// contract may not be deleted while it has entries (no cascade), so the log outlives any mistake in the code.
/// </summary>
internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public const string Table = "AuditEntries";

    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable(Table);
        b.HasKey(e => new { e.ContractId, e.Sequence });
        b.Property(e => e.Sequence).ValueGeneratedNever();
        b.Property(e => e.Type).HasMaxLength(100);
        b.Property(e => e.PreviousHash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.Property(e => e.Hash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.HasOne<Contract>().WithMany().HasForeignKey(e => e.ContractId).OnDelete(DeleteBehavior.Restrict);
    }
}
