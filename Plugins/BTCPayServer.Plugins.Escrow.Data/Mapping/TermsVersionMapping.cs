using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>Every offered version of the terms, kept with the canonical text its hash was computed from.</summary>
internal sealed class TermsVersionMapping : IEntityTypeConfiguration<TermsVersion>
{
    public void Configure(EntityTypeBuilder<TermsVersion> b)
    {
        b.ToTable("TermsVersions");
        // TermsVersion does not know its contract; the key borrows the foreign key as a shadow column.
        b.Property<Guid>("ContractId");
        b.HasKey("ContractId", nameof(TermsVersion.Number));
        b.HasPosition();
        b.Property(v => v.Hash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.Ignore(v => v.AcceptedByBoth);
    }
}
