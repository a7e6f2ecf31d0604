using Microsoft.AspNetCore.Razor.TagHelpers;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// MVC's validation summary puts an empty <c>&lt;li style="display:none"&gt;</c> in a form without errors; a
/// Content-Security-Policy without 'unsafe-inline' for styles refuses that attribute and the empty bullet shows. Runs
/// after MVC's tag helper and hides the item with the <c>hidden</c> attribute instead.
/// </summary>
[HtmlTargetElement("div", Attributes = "asp-validation-summary")]
public sealed class ValidationSummaryWithoutInlineStyle : TagHelper
{
    private const string Styled = "<li style=\"display:none\"></li>";

    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var content = output.PostContent.GetContent();
        if (content.Contains(Styled, StringComparison.Ordinal))
            output.PostContent.SetHtmlContent(content.Replace(Styled, "<li hidden></li>", StringComparison.Ordinal));
    }
}
