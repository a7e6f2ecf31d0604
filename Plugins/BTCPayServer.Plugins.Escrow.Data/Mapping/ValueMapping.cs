using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>Column shapes shared by every table: money, parties, and the position of a row in its aggregate list.</summary>
internal static class ValueMapping
{
    /// <summary>Up to 20 integer digits and 8 decimals: every currency's precision (BTC has the most) and 21M BTC in SATS.</summary>
    public const int AmountPrecision = 28;
    public const int AmountScale = 8;
    public const int CurrencyLength = 5;
    public const int Sha256HexLength = 64;

    /// <summary>
    /// Shadow column keeping each child row's index in its parent's list, so a reloaded aggregate sees its lists in the
    /// order they were built (timestamps tie within a millisecond, and "last open proposal" depends on order).
    /// </summary>
    public const string Position = "Position";

    /// <summary>A <see cref="Money"/> value: an amount column and a currency column.</summary>
    public static void Money(ComplexPropertyBuilder<Money> money)
    {
        money.Property(m => m.Amount).HasPrecision(AmountPrecision, AmountScale);
        money.Property(m => m.Currency).HasMaxLength(CurrencyLength).IsRequired();
    }

    public static void Party(ComplexPropertyBuilder<Party> party)
    {
        party.Property(p => p.Name).HasMaxLength(Core.Contracts.Party.MaxNameLength).IsRequired();
        party.Property(p => p.Email).HasMaxLength(Core.Contracts.Party.MaxEmailLength).IsRequired();
    }

    public static void HasPosition<T>(this EntityTypeBuilder<T> entity) where T : class =>
        entity.Property<int>(Position);
}
