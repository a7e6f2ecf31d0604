using System.Text.RegularExpressions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

public static partial class FormErrors
{
    /// <summary>
    /// The message shown next to a field of the contract form: the validation span of a contract field, or the error
    /// lines inside the card of a milestone row.
    /// </summary>
    public static string NextTo(Page page, string field)
    {
        // Fields without a slot of their own (selects) list their message above the form.
        if (field == "page")
            return page.Text("#FormErrors");
        var row = MilestoneField().Match(field);
        if (row.Success)
        {
            var index = int.Parse(row.Groups[1].Value);
            var cards = page.Document.QuerySelectorAll("#Milestones .milestone-row");
            Assert.True(cards.Length > index, $"No milestone row {index} on the page");
            return string.Join(" ", cards[index].QuerySelectorAll(".text-danger").Select(e => e.TextContent.Trim()));
        }
        var span = page.Find($"[data-valmsg-for='{field}']");
        Assert.True(span is not null, $"No validation message slot for {field}");
        return span!.TextContent.Trim();
    }

    [GeneratedRegex(@"^Form\.Milestones\[(\d+)\]\.")]
    private static partial Regex MilestoneField();
}
