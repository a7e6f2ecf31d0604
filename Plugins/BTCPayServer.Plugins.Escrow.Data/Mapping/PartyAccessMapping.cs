using BTCPayServer.Plugins.Escrow.Core.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>A party's links to a contract, several per party; only each token's hash is stored, and party pages look contracts up by it.</summary>
internal sealed class PartyAccessMapping : IEntityTypeConfiguration<PartyAccess>
{
    public void Configure(EntityTypeBuilder<PartyAccess> b)
    {
        b.ToTable("PartyAccess");
        // 256-bit random tokens never collide; the hash as key makes "one hash, one contract" a guarantee, not a hope.
        b.HasKey(a => a.TokenHash);
        b.HasPosition();
        b.Property(a => a.TokenHash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.HasIndex(a => new { a.ContractId, a.Role });
    }
}
