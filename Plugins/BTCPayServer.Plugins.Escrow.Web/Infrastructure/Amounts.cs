using System.Globalization;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Core;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// Numbers typed in forms, read the same in every locale: a dot before the decimals, and optionally one kind of
/// grouping separator (comma or space) between groups of exactly three digits: "1000.50", "1,000.50", "1 000.50".
/// Anything else with a comma ("1,5", "1.000,50", "10,00") is refused rather than guessed.
/// </summary>
public static partial class Amounts
{
    public const string Rule = "a dot before the decimals; commas or spaces only between groups of three digits";

    /// <summary>Parses an amount typed in a form; the currency's precision is checked by Core.</summary>
    public static decimal ParseAmount(string? text, string field) =>
        TryParse(text, out var value) ? value : throw new InvalidInputException(field, $"Enter an amount such as 1,000.50 ({Rule}).");

    /// <summary>A number of a contract form: empty is <paramref name="whenEmpty"/>, or required when that is null.</summary>
    public static decimal ParseNumber(string? text, string field, string label, decimal? whenEmpty = null)
    {
        if (string.IsNullOrWhiteSpace(text))
            return whenEmpty ?? throw new InvalidInputException(field, $"The {label} is required.");
        return TryParse(text, out var value) ? value : throw new InvalidInputException(field, $"The {label} must be a number such as 12.50 or 1,000.50 ({Rule}).");
    }

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 40)
            return false;
        var match = Grouped().Match(trimmed);
        if (!match.Success)
            return false;
        var digits = match.Groups["separator"].Success ? trimmed.Replace(match.Groups["separator"].Value, "", StringComparison.Ordinal) : trimmed;
        return decimal.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    // Either plain digits, or 1-3 digits followed by groups of three behind the same separator; then optional decimals.
    [GeneratedRegex(@"^[+-]?(?:\d{1,3}(?:(?<separator>[,\u0020\u00A0\u202F])\d{3})(?:\k<separator>\d{3})*|\d+)(?:\.\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Grouped();
}
