using System.Globalization;

namespace BTCPayServer.Plugins.Escrow.Core.Amounts;

/// <summary>An amount with its currency. Arithmetic across currencies is refused, never converted silently.</summary>
public readonly record struct Money : IComparable<Money>
{
    // Persistence rebuilds values through this constructor; Of() is the validating entry point.
    internal Money(decimal amount, string currency)
    {
        Amount = amount;
        Currency = currency;
    }

    public decimal Amount { get; init; }
    public string Currency { get; init; }

    public static Money Zero(string currency) => new(0m, Amounts.Currency.FromCode(currency).Code);

    /// <summary>An amount that fits its currency's precision and range; negative amounts are refused.</summary>
    public static Money Of(decimal amount, string currency, string field = "amount")
    {
        var c = Amounts.Currency.FromCode(currency);
        if (amount < 0)
            throw new InvalidInputException(field, $"The amount {amount.ToString(CultureInfo.InvariantCulture)} {c.Code} is negative.");
        if (decimal.Round(amount, c.Precision) != amount)
            throw new InvalidInputException(field, $"{amount.ToString(CultureInfo.InvariantCulture)} has more decimals than {c.Code} allows ({c.Precision}).");
        if (amount > c.Maximum)
            throw new InvalidInputException(field, $"{amount.ToString(CultureInfo.InvariantCulture)} {c.Code} is more than the largest amount allowed ({c.Maximum.ToString(CultureInfo.InvariantCulture)} {c.Code}).");
        return new Money(decimal.Round(amount, c.Precision), c.Code);
    }

    public static bool TryParse(string? text, string currency, out Money money)
    {
        money = default;
        if (!decimal.TryParse(text?.Trim(), NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var amount))
            return false;
        try
        {
            money = Of(amount, currency);
            return true;
        }
        catch (InvalidInputException)
        {
            return false;
        }
    }

    public int Precision => Amounts.Currency.FromCode(Currency).Precision;
    public bool IsZero => Amount == 0m;
    public bool IsPositive => Amount > 0m;

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, SameCurrency(a, b));
    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, SameCurrency(a, b));
    public static bool operator <(Money a, Money b) => a.CompareTo(b) < 0;
    public static bool operator >(Money a, Money b) => a.CompareTo(b) > 0;
    public static bool operator <=(Money a, Money b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Money a, Money b) => a.CompareTo(b) >= 0;

    public static Money Min(Money a, Money b) => a <= b ? a : b;
    public static Money Max(Money a, Money b) => a >= b ? a : b;

    public int CompareTo(Money other)
    {
        SameCurrency(this, other);
        return Amount.CompareTo(other.Amount);
    }

    /// <summary>This amount times a ratio, rounded toward zero to the currency's precision (never creates money).</summary>
    public Money MultiplyDown(decimal ratio) =>
        new(decimal.Round(Amount * ratio, Precision, MidpointRounding.ToZero), Currency);

    /// <summary>Invariant text with exactly the currency's decimals, e.g. <c>0.00150000 BTC</c>.</summary>
    public string ToInvariantString() => $"{FormatAmount()} {Currency}";

    public string FormatAmount() => Amount.ToString("F" + Precision, CultureInfo.InvariantCulture);

    public override string ToString() => ToInvariantString();

    private static string SameCurrency(Money a, Money b)
    {
        if (a.Currency != b.Currency)
            throw new EscrowException("money.currency-mismatch", $"Cannot combine {a.Currency} with {b.Currency}.");
        return a.Currency;
    }
}
