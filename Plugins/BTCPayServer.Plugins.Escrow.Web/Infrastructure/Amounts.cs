using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class Amounts
{
    /// <summary>Parses an amount typed in a form (invariant: "12.50"); the currency's precision is checked by Core.</summary>
    public static decimal ParseAmount(string? text, string field)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 40
            || !decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException(field, "Enter an amount such as 12.50.");
        return value;
    }
}
