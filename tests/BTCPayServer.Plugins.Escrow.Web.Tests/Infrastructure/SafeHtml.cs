using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>Checks that markup can run nothing: no inline script, no event handler, no script-bearing URL, no embedded media.</summary>
public static class SafeHtml
{
    /// <summary>Markdown that tries every way we know to get script or a remote fetch into a page.</summary>
    public const string Attack = """
        **bold** and *italic*, a list:

        - first item
        - second item

        [a safe link](https://example.com/ok)
        <script>alert('tag')</script>
        <img src=x onerror=alert('img')>
        <div onclick="alert('div')">an HTML block</div>
        <a href="javascript:alert('raw')">raw anchor</a>
        [js](javascript:alert('js'))
        [mixed case](JaVaScRiPt:alert(1))
        [spaced]( javascript:alert('spaced'))
        [entity](&#106;avascript:alert('entity'))
        [entity colon](javascript&#58;alert('colon'))
        [hex entity](&#x6A;avascript:alert('hex'))
        [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
        [vb](vbscript:msgbox(1))
        [relative](/stores/default/plugins/escrow)
        <javascript:alert('autolink')>
        <data:text/html,alert('autolink-data')>
        javascript:alert('bare') www.example.com/bare
        ![remote image](https://tracker.example/pixel.png)
        ![js image](javascript:alert('imgjs'))
        [reference link][evil]

        [evil]: javascript:alert('reference')
        """;

    private static readonly string[] BadSchemes = ["javascript:", "data:", "vbscript:"];

    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    public static void AssertNothingRuns(IDocument document)
    {
        var all = document.QuerySelectorAll("*");
        // The pages' own scripts are files (src); no script element carries inline code.
        Assert.All(document.QuerySelectorAll("script"), s => Assert.True(s.HasAttribute("src") && s.TextContent.Trim().Length == 0, s.OuterHtml));
        Assert.Empty(document.QuerySelectorAll("img, iframe, object, embed, svg, math, base, meta[http-equiv], link[rel=import]"));
        foreach (var element in all)
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"Event handler: {element.OuterHtml}");
                if (attribute.Name is "href" or "src" or "action" or "formaction" or "xlink:href")
                {
                    var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()).ToLowerInvariant();
                    Assert.False(BadSchemes.Any(value.StartsWith), $"Script-bearing URL: {element.OuterHtml}");
                }
            }
        }
    }

    /// <summary>The harmless part of <see cref="Attack"/> rendered as formatting inside <paramref name="scope"/>.</summary>
    public static void AssertFormatted(IParentNode scope)
    {
        Assert.Contains(scope.QuerySelectorAll(".user-text strong"), e => e.TextContent == "bold");
        Assert.Contains(scope.QuerySelectorAll(".user-text em"), e => e.TextContent == "italic");
        Assert.Contains(scope.QuerySelectorAll(".user-text li"), e => e.TextContent == "second item");
        var links = scope.QuerySelectorAll(".user-text a").Where(a => a.TextContent == "a safe link").ToList();
        Assert.NotEmpty(links);
        Assert.All(links, link =>
        {
            Assert.Equal("https://example.com/ok", link.GetAttribute("href"));
            Assert.Equal("nofollow noopener noreferrer", link.GetAttribute("rel"));
        });
    }
}
