using System.Globalization;
using System.Text;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using nietras.SeparatedValues;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// A statement as a download: CSV (written by Sep, one row per line) or JSON, with the same columns and values. In the
/// CSV, a text cell that a spreadsheet would read as a formula gets a leading <c>'</c> (OWASP's advice against CSV
/// injection); numbers and fixed words are written as they are, so "-10.00" stays a number. JSON carries the text as
/// it is. Amounts are exact decimals with their currency's places, in JSON as strings.
/// </summary>
public enum StatementFormat
{
    Csv,
    Json,
}

public static class StatementFiles
{
    public const string CsvType = "text/csv; charset=utf-8";
    public const string JsonType = "application/json; charset=utf-8";

    /// <summary>One column: its CSV header, its JSON name, whether it holds free text (names, titles, ids from outside), and its value.</summary>
    private sealed record Column(string Csv, string Json, bool IsText, Func<StatementLine, string?> Value);

    private static readonly Column[] Columns =
    [
        new("date", "date", false, l => l.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
        new("contract_id", "contractId", false, l => l.ContractId.ToString()),
        new("contract_title", "contractTitle", true, l => l.ContractTitle),
        new("milestone", "milestone", false, l => l.Milestone?.ToString(CultureInfo.InvariantCulture)),
        new("kind", "kind", false, l => KindCode(l.Kind)),
        new("party", "party", false, l => l.Party.ToString().ToLowerInvariant()),
        new("party_name", "partyName", true, l => l.PartyName),
        new("amount", "amount", false, l => l.Amount.FormatAmount()),
        new("balance_change", "balanceChange", false, l => l.BalanceChange.FormatAmount()),
        new("currency", "currency", false, l => l.Amount.Currency),
        new("btc_amount", "btcAmount", false, l => l.Btc?.FormatAmount()),
        new("rate", "rate", false, l => l.Rate?.ToString(CultureInfo.InvariantCulture)),
        new("payment_method", "paymentMethod", true, l => l.PaymentMethod),
        new("invoice_id", "invoiceId", true, l => l.InvoiceId),
        new("pull_payment_id", "pullPaymentId", true, l => l.PullPaymentId),
        new("payment_id", "paymentId", true, l => l.PaymentId),
    ];

    public static IReadOnlyList<string> CsvColumns { get; } = Columns.Select(c => c.Csv).ToList();

    /// <summary>"payment_received", "credited", "late_payment_refunded", ...: the <c>kind</c> column's words.</summary>
    public static string KindCode(StatementLineKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    /// <summary>The download (<c>Content-Disposition: attachment</c> with <paramref name="fileName"/> and its extension).</summary>
    public static FileContentResult Download(Statement statement, string fileName, StatementFormat format) => format == StatementFormat.Json
        ? new(WriteJson(statement), JsonType) { FileDownloadName = fileName + ".json" }
        : new(Encoding.UTF8.GetBytes(WriteCsv(statement)), CsvType) { FileDownloadName = fileName + ".csv" };

    /// <summary>
    /// A contract's statement for the dates asked (none: its whole history), as <paramref name="shown"/> makes it for
    /// whoever asks; dates that are refused give a 400 with the reason.
    /// </summary>
    public static IActionResult ContractDownload(ControllerBase controller, Contract contract, IEnumerable<AuditEntry> entries, string? from, string? to,
        DateOnly today, StatementFormat format, Func<Statement, Statement>? shown = null)
    {
        StatementPeriod? period;
        try
        {
            period = StatementPeriod.ForContract(from, to, contract.CreatedAt, today);
        }
        catch (InvalidInputException e)
        {
            return BadDates(controller, e);
        }
        var statement = Statement.Of(contract, entries, period);
        var fileName = FileName(contract.Title, period?.From ?? DateOnly.FromDateTime(contract.CreatedAt.UtcDateTime), period?.To ?? today);
        return Download(shown is null ? statement : shown(statement), fileName, format);
    }

    /// <summary>A statement's dates were refused: 400 with the reason, as problem details.</summary>
    public static ObjectResult BadDates(ControllerBase controller, InvalidInputException e) =>
        controller.Problem(detail: e.Message, statusCode: StatusCodes.Status400BadRequest, title: "The statement's dates are not valid.");

    public static string WriteCsv(Statement statement)
    {
        var text = new StringBuilder();
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(text))
        {
            // The header is written even for a statement without lines, so every file has the same shape.
            writer.Header.Add(CsvColumns.ToArray());
            writer.Header.Write();
            foreach (var line in statement.Lines)
            {
                using var row = writer.NewRow();
                foreach (var column in Columns)
                    row[column.Csv].Set(column.IsText ? SafeText(column.Value(line)) : column.Value(line) ?? "");
            }
        }
        return text.ToString();
    }

    public static byte[] WriteJson(Statement statement)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("from", statement.Period is { } p ? StatementPeriod.Format(p.From) : null);
            json.WriteString("to", statement.Period is { } q ? StatementPeriod.Format(q.To) : null);
            json.WriteStartArray("lines");
            foreach (var line in statement.Lines)
            {
                json.WriteStartObject();
                foreach (var column in Columns)
                    json.WriteString(column.Json, column.Value(line));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("totals");
            foreach (var t in statement.Totals)
            {
                json.WriteStartObject();
                json.WriteString("currency", t.Currency);
                foreach (var (name, amount) in new (string, Money)[] { ("received", t.Received), ("released", t.Released), ("fees", t.Fees), ("refunded", t.Refunded), ("balanceChange", t.BalanceChange) })
                    json.WriteString(name, amount.FormatAmount());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Text a spreadsheet would take for a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a
    /// carriage return) is prefixed with <c>'</c>, so it is shown as text and never run.
    /// </summary>
    public static string SafeText(string? value) =>
        value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value ?? "";

    /// <summary>"escrow-statement-website-redesign-2026-01-01-to-2026-01-31": letters and digits of the title only, so the name is safe anywhere.</summary>
    public static string FileName(string? title, DateOnly from, DateOnly to)
    {
        var slug = new StringBuilder();
        foreach (var ch in (title ?? "").Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9')
                slug.Append(ch);
            else if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark && slug.Length > 0 && slug[^1] != '-')
                slug.Append('-');
            if (slug.Length >= 40)
                break;
        }
        var name = slug.ToString().Trim('-');
        return $"escrow-statement-{(name.Length > 0 ? name + "-" : "")}{StatementPeriod.Format(from)}-to-{StatementPeriod.Format(to)}";
    }
}
