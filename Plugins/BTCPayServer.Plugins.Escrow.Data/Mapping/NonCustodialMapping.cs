using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// A contract's non-custodial state (keys, escrow addresses, signing rounds) is one JSON text column of the contract
/// row, written in the same save: it is read and written whole with the contract, never queried by field. It is an
/// immutable value, compared by its JSON, so EF writes it exactly when it changed.
/// </summary>
internal static class NonCustodialMapping
{
    public const string Column = "NonCustodial";

    public static void Map(EntityTypeBuilder<Core.Contracts.Contract> b)
    {
        // Rows written before the mode existed read as custodial and '{}': the migration's column defaults say so.
        b.Ignore(c => c.IsNonCustodial);
        b.Ignore(c => c.HasPartyKeys);
        b.Property(c => c.NonCustodial)
            .HasColumnName(Column)
            .HasConversion(s => s.ToJson(), j => NonCustodialState.FromJson(j), new NonCustodialStateComparer())
            .IsRequired();
    }
}

internal sealed class NonCustodialStateComparer() : ValueComparer<NonCustodialState>(
    (a, b) => (a == null ? null : a.ToJson()) == (b == null ? null : b.ToJson()),
    s => s.ToJson().GetHashCode(StringComparison.Ordinal),
    s => s);
