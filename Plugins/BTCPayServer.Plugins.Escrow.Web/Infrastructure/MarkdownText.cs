using Ganss.Xss;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// Text that parties and the agency write (scope, deliverables, deliveries, dispute messages, rulings) shown as Markdown.
/// Markdig renders it with raw HTML off; HtmlSanitizer then keeps only plain formatting and http(s)/mailto links.
/// Images become links: a remote image would load in the other party's browser and leak their IP address.
/// The stored text (audit log, terms and their hash) stays exactly as typed; only its display changes.
/// </summary>
public static class MarkdownText
{
    public const string Hint = "Markdown: **bold**, *italic*, lists, [links](https://…)";
    private const string LinkRel = "nofollow noopener noreferrer";
    private static readonly string[] AllowedTags =
        ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr", "h6"];
    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    // Both are safe to share between threads once built.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>The text as sanitized HTML; empty for empty text.</summary>
    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
            return "";
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage))
        {
            image.IsImage = false;
            if (image.FirstChild is null)
                image.AppendChild(new LiteralInline(image.Url ?? "image"));
        }
        // rel and target are set here, in Markdig's tree, not on the sanitizer's DOM: that keeps AngleSharp's types out
        // of this assembly, so inside BTCPay it runs on BTCPay's own (older) AngleSharp through BTCPay's HtmlSanitizer.
        foreach (var link in document.Descendants<Inline>().Where(i => i is LinkInline or AutolinkInline))
        {
            var attributes = link.GetAttributes();
            attributes.AddPropertyIfNotExist("rel", LinkRel);
            attributes.AddPropertyIfNotExist("target", "_blank");
        }
        // Headings in a message sit below the page's own headings.
        foreach (var heading in document.Descendants<HeadingBlock>())
            heading.Level = 6;
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return Sanitizer.Sanitize(writer.ToString());
    }

    /// <summary>User text rendered from Markdown, in a block of its own.</summary>
    public static IHtmlContent UserText(this IHtmlHelper html, string? markdown)
    {
        var rendered = ToHtml(markdown);
        return rendered.Length == 0 ? HtmlString.Empty : new HtmlString($"<div class=\"user-text\">{rendered}</div>");
    }

    /// <summary>The line under a text area that says Markdown works there.</summary>
    public static IHtmlContent MarkdownHint(this IHtmlHelper html) =>
        new HtmlString($"<small class=\"form-text text-secondary d-block markdown-hint\">{System.Net.WebUtility.HtmlEncode(Hint)}</small>");

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        Replace(sanitizer.AllowedTags, AllowedTags);
        Replace(sanitizer.AllowedAttributes, ["href", "rel", "target"]);
        Replace(sanitizer.UriAttributes, ["href"]);
        Replace(sanitizer.AllowedSchemes, AllowedSchemes);
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedAtRules.Clear();
        sanitizer.AllowedClasses.Clear();
        sanitizer.AllowDataAttributes = false;
        sanitizer.KeepChildNodes = true;
        // Relative links would point into the escrow's own pages; only absolute http(s) and mailto links survive.
        sanitizer.FilterUrl += (_, e) =>
        {
            if (e.SanitizedUrl is null || !Uri.TryCreate(e.SanitizedUrl, UriKind.Absolute, out var uri) || !AllowedSchemes.Contains(uri.Scheme))
                e.SanitizedUrl = null;
        };
        return sanitizer;
    }

    private static void Replace(ISet<string> set, IEnumerable<string> values)
    {
        set.Clear();
        set.UnionWith(values);
    }
}
