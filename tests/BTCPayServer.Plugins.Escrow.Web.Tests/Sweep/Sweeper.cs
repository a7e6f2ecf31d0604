using System.Net;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>
/// One form field under the sweep: how to send a value in an otherwise valid form, what of the database must stay
/// as it was when the value is refused, and, for free text, where the value is stored and shown when it is accepted.
/// </summary>
public sealed class SweepField
{
    public required string Name { get; init; }

    /// <summary>Sends the value; returns the answer as is (redirects not followed).</summary>
    public required Func<Browser, string, Task<Page>> Send { get; init; }

    /// <summary>Everything the act could change, as text (contract snapshot, settings, sandbox state...).</summary>
    public required Func<Task<string>> Snapshot { get; init; }

    /// <summary>For free text: its longest allowed length (trimmed). Longer text, or a control character, must be refused.</summary>
    public int? MaxLength { get; init; }

    /// <summary>For free text: the value as stored now (after an accepted post).</summary>
    public Func<Task<string?>>? Stored { get; init; }

    /// <summary>A page showing the stored value (a GET), to check it is shown as text, encoded.</summary>
    public Func<Browser, Task<Page>>? Display { get; init; }

    /// <summary>After an accepted value: brings the target back to a state the next value can be tried on.</summary>
    public Func<Task>? Reset { get; init; }

    /// <summary>The browser to send with (party pages are rate limited per client: the sweep changes browsers).</summary>
    public required Func<Task<Browser>> Browser { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// Runs every bad value through every field. Each answer must be a 4xx, or a page with a clear error message and the
/// database exactly as before; or, where the value is fine for the field (free text), it must be stored as sent and
/// shown encoded. Never a 5xx (the browser checks every answer), never a stack trace.
/// </summary>
public sealed partial class Sweeper(ITestOutputHelper output)
{
    private readonly List<(string Field, string Value)> _accepted = [];

    public int Sent { get; private set; }
    public int Refused { get; private set; }
    public int Accepted { get; private set; }

    public async Task RunAsync(IEnumerable<SweepField> fields, IReadOnlyList<BadValue>? values = null)
    {
        foreach (var field in fields)
        {
            foreach (var value in values ?? BadValues.All)
            {
                try
                {
                    await TryAsync(field, value);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new Xunit.Sdk.XunitException($"Field {field.Name}, value \"{value.Name}\": {e.Message}\n{e.StackTrace}");
                }
            }
        }
        output.WriteLine($"{Sent} bad values sent: {Refused} refused, {Accepted} accepted (stored and shown encoded)");
        foreach (var group in _accepted.GroupBy(a => a.Field))
            output.WriteLine($"  accepted by {group.Key}: {string.Join(", ", group.Select(a => a.Value))}");
    }

    private async Task TryAsync(SweepField field, BadValue value)
    {
        var browser = await field.Browser();
        var before = await field.Snapshot();
        var answer = await field.Send(browser, value.Text);
        Sent++;
        Assert.NotEqual(HttpStatusCode.TooManyRequests, answer.Status); // the sweep's own pace, not an answer to the value
        AssertNoStackTrace(answer);
        if ((int)answer.Status is >= 400 and < 500)
        {
            Refused++;
            Assert.Equal(before, await field.Snapshot());
            return;
        }
        var page = await browser.FollowAsync(answer);
        AssertNoStackTrace(page);
        var error = ErrorShown(page);
        if (error.Length > 0)
        {
            Refused++;
            Assert.True(error.Length < 1_000, $"The message is {error.Length} characters long: {error[..Math.Min(200, error.Length)]}…");
            Assert.Equal(before, await field.Snapshot());
            return;
        }
        Assert.True(answer.IsRedirect, $"A form post answered {(int)answer.Status} without a message: {page.Excerpt(600)}");

        // Accepted: only where the value is fine for the field, and then stored as sent and shown as text.
        Accepted++;
        _accepted.Add((field.Name, value.Name));
        var sent = BadValues.AsSent(value.Text);
        Assert.True(value.Text.Length <= 50_000, $"{value.Text.Length} characters were accepted");
        if (field.MaxLength is { } max)
        {
            Assert.False(BadValues.HasControl(sent), "A control character was accepted.");
            Assert.True(sent.Trim().Length <= max, $"{sent.Trim().Length} characters were accepted where at most {max} are allowed.");
        }
        string? stored = null;
        if (field.Stored is not null)
        {
            stored = await field.Stored();
            Assert.Equal(sent.Trim(), stored);
        }
        if (field.Display is not null)
        {
            var shown = await field.Display(browser);
            Assert.Equal(HttpStatusCode.OK, shown.Status);
            AssertNoStackTrace(shown);
            AssertNoInjectedMarkup(shown);
            if (stored is { Length: > 0 })
                Assert.True(Shows(shown, stored), $"The stored value is not shown as text on {shown.Url}");
        }
        if (field.Reset is not null)
            await field.Reset();
    }

    /// <summary>
    /// A GET form (the contract list's search, state and page): every value answers a page or a 4xx, never a 5xx or a
    /// stack trace, and a value shown back (the search box) is shown encoded.
    /// </summary>
    public async Task RunQueryAsync(Browser browser, string path, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            foreach (var value in BadValues.All)
            {
                var page = await browser.GetAsync($"{path}?{name}={Uri.EscapeDataString(BadValues.AsSent(value.Text))}");
                Sent++;
                Assert.True((int)page.Status is 200 or (>= 400 and < 500), $"{name}, \"{value.Name}\": {(int)page.Status}");
                AssertNoStackTrace(page);
                if (page.Status != HttpStatusCode.OK)
                {
                    Refused++;
                    continue;
                }
                Accepted++;
                AssertNoInjectedMarkup(page);
            }
        }
        output.WriteLine($"{Sent} bad values sent in queries: {Refused} refused, {Accepted} answered with a page");
    }

    /// <summary>The error messages a page shows: the party and staff banners, form validation, the sandbox's alert.</summary>
    public static string ErrorShown(Page page) => string.Join(" | ", page.Document
        .QuerySelectorAll("#EscrowError, #SandboxError, .field-validation-error, .validation-summary-errors li, #FormErrors div, #RulingErrors li, #SettingsForm .text-danger, .milestone-row .text-danger")
        .Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).Distinct());

    private static void AssertNoStackTrace(Page page)
    {
        Assert.False(StackFrame().IsMatch(page.Body), $"{page.Url} shows a stack trace: {page.Excerpt(800)}");
        Assert.False(ExceptionName().IsMatch(page.Body), $"{page.Url} names an exception: {page.Excerpt(800)}");
    }

    /// <summary>The value must be text on the page: no element, attribute or script of its making.</summary>
    public static void AssertNoInjectedMarkup(Page page)
    {
        var all = page.Document.All;
        Assert.DoesNotContain(all, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(all, e => e.LocalName == "script" && e.TextContent.Contains("alert("));
        Assert.DoesNotContain(all, e => e.LocalName == "img" && e.GetAttribute("src") == "x");
        Assert.DoesNotContain("<script>alert(1)</script>", page.Body);
        Assert.DoesNotContain("<img src=x", page.Body);
        Assert.DoesNotContain("<svg onload", page.Body);
    }

    /// <summary>
    /// Shown as text (whitespace aside), as the text its Markdown renders to (free text people write), or as the value
    /// of a form field that edits it.
    /// </summary>
    private static bool Shows(Page page, string value)
    {
        var wanted = Collapse(value);
        var body = Collapse(page.Document.Body?.TextContent ?? "");
        if (body.Contains(wanted, StringComparison.Ordinal))
            return true;
        var rendered = Collapse(Infrastructure.SafeHtml.Parse(MarkdownText.ToHtml(value)).Body?.TextContent ?? "");
        if (rendered.Length > 0 && body.Contains(rendered, StringComparison.Ordinal))
            return true;
        return page.Document.QuerySelectorAll("input, textarea").Any(e =>
            Collapse(e is AngleSharp.Html.Dom.IHtmlTextAreaElement t ? t.Value : e.GetAttribute("value") ?? "") == wanted);
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\n\s+at [\w.<>`]+\.[\w<>`]+\(")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b(System|Microsoft|Npgsql|BTCPayServer)\.[\w.]*Exception\b")]
    private static partial Regex ExceptionName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
