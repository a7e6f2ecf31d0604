using System.Text;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>One generated bad value: what it tries, and the text sent.</summary>
public sealed record BadValue(string Name, string Text)
{
    public override string ToString() => Name;
}

/// <summary>
/// The values every field of the sweep receives: boundaries and over-long text, wrong types, control characters, markup
/// and script, SQL fragments, and Unicode edge cases. Some are fine in a free-text field (emoji, combining marks, a
/// quote): those must be stored as sent and shown encoded. Control characters and over-long text never are.
/// </summary>
public static class BadValues
{
    public static readonly IReadOnlyList<BadValue> All =
    [
        // Boundaries and length.
        new("empty", ""),
        new("blank", "   "),
        new("only line breaks", "\r\n\t\n"),
        new("201 characters", new string('t', 201)),
        new("501 characters", new string('d', 501)),
        new("2001 characters", new string('r', 2_001)),
        new("5001 characters", new string('v', 5_001)),
        new("10001 characters", new string('m', 10_001)),
        new("20001 characters", new string('s', 20_001)),
        new("100001 characters", new string('x', 100_001)),
        // Control characters (tab, CR and LF are text; the rest are not).
        new("NUL", "a\0b"),
        new("bell", "Bell\u0007"),
        new("escape sequence", "\u001b[31mred\u001b[0m"),
        new("DEL", "x\u007f"),
        new("C1 next line", "x\u0085y"),
        new("only controls", "\u0001\u0002\u0003"),
        new("tab inside", "left\tright"),
        // Markup and script.
        new("script tag", "<script>alert(1)</script>"),
        new("attribute breakout", "\"><img src=x onerror=alert(1)>"),
        new("svg onload", "<svg onload=alert(1)>"),
        new("javascript url", "javascript:alert(1)"),
        new("template syntax", "{{7*7}} ${7*7} @(7*7)"),
        new("entity", "&lt;b&gt; &amp;"),
        // SQL fragments.
        new("sql quote", "' OR '1'='1"),
        new("sql statement", "'; DROP TABLE \"Contracts\"; --"),
        new("sql wildcards", "%_\\%"),
        // Unicode edge cases.
        new("lone high surrogate", "a\uD800b"),
        new("lone low surrogate", "\uDC00"),
        new("RTL override", "abc\u202Edef"),
        new("zero-width characters", "a\u200B\u200C\u200Db\uFEFF"),
        new("combining marks", "e\u0301\u0301\u0301 Z\u0337\u0322\u031Ba\u0338l\u0335g\u0336o"),
        new("emoji", "🚀💸👩‍💻🇨🇭"),
        new("astral letters", "𝕳𝖊𝖑𝖑𝖔"),
        new("line and paragraph separators", "a\u2028b\u2029c"),
        new("noncharacters", "\uFFFF\uFFFE"),
        new("fullwidth digits", "１２３"),
        // Wrong types and odd numbers.
        new("exponent", "1e3"),
        new("hex", "0x10"),
        new("NaN", "NaN"),
        new("negative infinity", "-Infinity"),
        new("negative", "-1"),
        new("zero", "0"),
        new("nine decimals", "0.000000001"),
        new("decimal overflow", "79228162514264337593543950336"),
        new("decimal comma", "1,5"),
        new("two points", "1.2.3"),
        new("boolean", "true"),
        new("json", "{\"a\":[1,2]}"),
        new("empty guid", "00000000-0000-0000-0000-000000000000"),
        new("impossible date", "2020-02-30"),
        new("last date", "9999-12-31"),
        new("int overflow", "2147483648"),
    ];

    /// <summary>A control character other than tab, CR and LF.</summary>
    public static bool HasControl(string text) => text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    /// <summary>The text as a form post carries it: UTF-8 has no lone surrogates, they arrive as U+FFFD.</summary>
    public static string AsSent(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
}
