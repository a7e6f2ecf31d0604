namespace BTCPayServer.Plugins.Escrow.Core;

/// <summary>Checks for user text: trimmed, within its length, and free of control characters.</summary>
internal static class Text
{
    public static string Required(string? value, string field, string label, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            throw new InvalidInputException(field, $"The {label} is required.");
        return Checked(trimmed, field, label, maxLength);
    }

    public static string Optional(string? value, string field, string label, int maxLength)
    {
        var trimmed = value?.Trim() ?? "";
        return trimmed.Length == 0 ? "" : Checked(trimmed, field, label, maxLength);
    }

    /// <summary>A value quoted back in a message, cut short: a refusal names the value, it does not repeat 100 KB of it.</summary>
    public static string Excerpt(string? value, int maxLength = 40) =>
        value is null ? "" : value.Length <= maxLength ? value : value[..maxLength] + "…";

    private static string Checked(string value, string field, string label, int maxLength)
    {
        if (value.Length > maxLength)
            throw new InvalidInputException(field, $"The {label} is {value.Length} characters long; at most {maxLength} are allowed.");
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                throw new InvalidInputException(field, $"The {label} contains a control character (U+{(int)c:X4}).");
        }
        return value;
    }
}
