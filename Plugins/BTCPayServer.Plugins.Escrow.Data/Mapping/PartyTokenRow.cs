using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// Which contract a party link's token hash opens: the key party pages look contracts up by, written next to the
/// contract's JSON list of links (which holds expiry and revocation) in the same transaction. 256-bit random tokens
/// never collide; the hash as key makes "one hash, one contract" a guarantee, not a hope.
/// </summary>
public sealed class PartyTokenRow
{
    public string TokenHash { get; init; } = "";
    public Guid ContractId { get; init; }
    public PartyRole Role { get; init; }
}

internal sealed class PartyTokenRowMapping : IEntityTypeConfiguration<PartyTokenRow>
{
    public void Configure(EntityTypeBuilder<PartyTokenRow> b)
    {
        b.ToTable("PartyAccess");
        b.HasKey(a => a.TokenHash);
        b.Property(a => a.TokenHash).HasMaxLength(ValueMapping.Sha256HexLength);
        b.HasOne<Contract>().WithMany().HasForeignKey(a => a.ContractId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.ContractId, a.Role });
    }
}
