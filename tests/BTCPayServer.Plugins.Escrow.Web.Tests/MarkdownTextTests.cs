using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The renderer of user text: Markdown formatting survives, nothing that runs or fetches does.</summary>
public sealed class MarkdownTextTests
{
    private static AngleSharp.Dom.IDocument Render(string markdown) =>
        SafeHtml.Parse($"<div class=\"user-text\">{MarkdownText.ToHtml(markdown)}</div>");

    [Fact]
    public void Every_attack_in_one_text_renders_nothing_that_runs_while_formatting_stays()
    {
        var document = Render(SafeHtml.Attack);
        SafeHtml.AssertNothingRuns(document);
        SafeHtml.AssertFormatted(document);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<div onclick=\"alert(1)\">block</div>\n\ntext")]
    [InlineData("<svg onload=alert(1)>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JaVaScRiPt:alert(1))")]
    [InlineData("[x](&#106;avascript:alert(1))")]
    [InlineData("[x](javascript&#58;alert(1))")]
    [InlineData("[x](&#x6A;&#x61;vascript:alert(1))")]
    [InlineData("[x](java\tscript:alert(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("[x](vbscript:msgbox(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("<data:text/html,alert(1)>")]
    [InlineData("[x][r]\n\n[r]: javascript:alert(1)")]
    [InlineData("[x][r]\n\n[r]: data:text/html,alert(1)")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("![x](https://tracker.example/pixel.png \"title\")")]
    [InlineData("[x](https://example.com \"title\" onmouseover=alert(1))")]
    [InlineData("`<script>alert(1)</script>`\n\n    <script>alert(2)</script>")]
    public void A_single_attack_renders_nothing_that_runs(string markdown) =>
        SafeHtml.AssertNothingRuns(Render(markdown));

    [Fact]
    public void Raw_html_is_shown_as_the_text_that_was_typed()
    {
        var document = Render("<b>not bold</b> <script>alert(1)</script>");
        Assert.Empty(document.QuerySelectorAll("b, script"));
        Assert.Contains("<b>not bold</b> <script>alert(1)</script>", document.Body!.TextContent);
    }

    [Fact]
    public void An_image_becomes_a_link_so_the_reader_fetches_nothing_unasked()
    {
        var document = Render("![the mockup](https://files.example/mockup.png)");
        Assert.Empty(document.QuerySelectorAll("img"));
        var link = document.QuerySelectorAll("a").Single();
        Assert.Equal("https://files.example/mockup.png", link.GetAttribute("href"));
        Assert.Equal("the mockup", link.TextContent);
        Assert.Equal("nofollow noopener noreferrer", link.GetAttribute("rel"));
    }

    [Theory]
    [InlineData("[home](/stores/default/plugins/escrow)")]
    [InlineData("[ftp](ftp://files.example/x)")]
    [InlineData("[x](javascript:alert(1))")]
    public void Only_absolute_web_and_mail_links_keep_their_address(string markdown)
    {
        var document = Render(markdown);
        Assert.All(document.QuerySelectorAll("a"), a => Assert.False(a.HasAttribute("href"), a.OuterHtml));
    }

    [Theory]
    [InlineData("[mail](mailto:fred@example.com)", "mailto:fred@example.com")]
    [InlineData("https://example.com/delivery", "https://example.com/delivery")]
    [InlineData("<https://example.com/x>", "https://example.com/x")]
    public void Web_and_mail_links_are_links_that_open_safely(string markdown, string href)
    {
        var link = Render(markdown).QuerySelectorAll("a").Single();
        Assert.Equal(href, link.GetAttribute("href"));
        Assert.Equal("nofollow noopener noreferrer", link.GetAttribute("rel"));
    }

    [Fact]
    public void A_line_break_typed_in_a_text_area_stays_a_line_break()
    {
        var document = Render("first line\nsecond line");
        Assert.Single(document.QuerySelectorAll("br"));
    }

    [Fact]
    public void Headings_sit_below_the_page_headings()
    {
        var document = Render("# Big\n\n## Less");
        Assert.Empty(document.QuerySelectorAll("h1, h2, h3, h4, h5"));
        Assert.Equal(2, document.QuerySelectorAll("h6").Length);
    }

    [Fact]
    public void Empty_text_renders_nothing() => Assert.Equal("", MarkdownText.ToHtml("  \n "));
}
