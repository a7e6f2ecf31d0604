using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace BTCPayServer.Plugins.Escrow.Core.Amounts;

/// <summary>A currency code with the number of decimals its amounts may carry.</summary>
public sealed partial record Currency
{
    // ISO 4217 minor units for the currencies that differ from the usual 2; everything else uses 2.
    private static readonly FrozenDictionary<string, int> Precisions = new Dictionary<string, int>
    {
        ["BTC"] = 8, ["LBTC"] = 8, ["SATS"] = 0,
        ["JPY"] = 0, ["KRW"] = 0, ["VND"] = 0, ["CLP"] = 0, ["ISK"] = 0, ["PYG"] = 0, ["UGX"] = 0,
        ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0, ["RWF"] = 0, ["KMF"] = 0, ["GNF"] = 0, ["DJF"] = 0, ["VUV"] = 0,
        ["BHD"] = 3, ["KWD"] = 3, ["OMR"] = 3, ["JOD"] = 3, ["TND"] = 3, ["LYD"] = 3, ["IQD"] = 3,
    }.ToFrozenDictionary();

    /// <summary>Largest amount a contract may hold in this currency; only known for bitcoin units (21M BTC).</summary>
    private static readonly FrozenDictionary<string, decimal> Maximums = new Dictionary<string, decimal>
    {
        ["BTC"] = 21_000_000m, ["LBTC"] = 21_000_000m, ["SATS"] = 2_100_000_000_000_000m,
    }.ToFrozenDictionary();

    private const decimal FiatMaximum = 1_000_000_000_000m;

    public static readonly Currency BTC = FromCode("BTC");
    public static readonly Currency SATS = FromCode("SATS");

    private Currency(string code, int precision, decimal maximum)
    {
        Code = code;
        Precision = precision;
        Maximum = maximum;
    }

    public string Code { get; }
    public int Precision { get; }
    public decimal Maximum { get; }

    /// <summary>Bitcoin units (BTC, SATS, Liquid BTC): no FX policy applies to them.</summary>
    public bool IsBitcoin => Code is "BTC" or "SATS" or "LBTC";

    public static Currency FromCode(string? code, string field = "currency")
    {
        if (!TryFromCode(code, out var currency))
            throw new InvalidInputException(field, $"'{Text.Excerpt(code)}' is not a currency code: use 3 to 5 letters, such as BTC, SATS, USD or EUR.");
        return currency;
    }

    public static bool TryFromCode(string? code, out Currency currency)
    {
        currency = null!;
        var normalized = code?.Trim().ToUpperInvariant();
        if (normalized is null || !CodePattern().IsMatch(normalized))
            return false;
        currency = new Currency(
            normalized,
            Precisions.GetValueOrDefault(normalized, 2),
            Maximums.GetValueOrDefault(normalized, FiatMaximum));
        return true;
    }

    public override string ToString() => Code;

    [GeneratedRegex("^[A-Z]{3,5}$")]
    private static partial Regex CodePattern();
}
