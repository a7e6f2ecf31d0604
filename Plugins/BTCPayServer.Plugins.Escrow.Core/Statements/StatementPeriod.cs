using System.Globalization;

namespace BTCPayServer.Plugins.Escrow.Core.Statements;

/// <summary>Whole UTC days from <see cref="From"/> to <see cref="To"/>, both included.</summary>
public sealed record StatementPeriod
{
    public const int MaxYears = 5;
    public const string DateFormat = "yyyy-MM-dd";

    public StatementPeriod(DateOnly from, DateOnly to)
    {
        if (from > to)
            throw new InvalidInputException("from", $"The statement would start on {Format(from)}, after it ends on {Format(to)}: choose a start on or before the end.");
        if (from < to.AddYears(-MaxYears))
            throw new InvalidInputException("from", $"A statement covers at most {MaxYears} years; {Format(from)} to {Format(to)} is longer. Choose dates closer together.");
        From = from;
        To = to;
    }

    public DateOnly From { get; }
    public DateOnly To { get; }

    public DateTimeOffset Start => new(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    /// <summary>The first moment after the period (the start of the day after <see cref="To"/>).</summary>
    public DateTimeOffset End => new(To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public bool Contains(DateTimeOffset at) => at >= Start && at < End;

    /// <summary>
    /// The period two ISO dates (<c>yyyy-MM-dd</c>) name; an empty one takes its default. A date that is not one, a
    /// start after the end, or more than <see cref="MaxYears"/> years is refused with a message for the person asking.
    /// </summary>
    public static StatementPeriod Parse(string? from, string? to, DateOnly defaultFrom, DateOnly defaultTo) =>
        new(ParseDate(from, "from", "start") ?? defaultFrom, ParseDate(to, "to", "end") ?? defaultTo);

    /// <summary>
    /// A contract's statement: no dates means its whole history (null); one date alone runs from the contract's first
    /// day or to <paramref name="today"/>.
    /// </summary>
    public static StatementPeriod? ForContract(string? from, string? to, DateTimeOffset createdAt, DateOnly today) =>
        string.IsNullOrWhiteSpace(from) && string.IsNullOrWhiteSpace(to)
            ? null
            : Parse(from, to, DateOnly.FromDateTime(createdAt.UtcDateTime), today);

    public static string Format(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text, string field, string label)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            return null;
        if (DateOnly.TryParseExact(trimmed, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        var shown = trimmed.Length > 40 ? trimmed[..40] + "…" : trimmed;
        throw new InvalidInputException(field, $"The {label} date \"{shown}\" is not a date: write it as {DateFormat}, for example 2026-01-31.");
    }
}
