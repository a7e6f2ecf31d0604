using AngleSharp.Html.Dom;

namespace BTCPayServer.Plugins.Escrow.Tests.Shared;

/// <summary>
/// What a browser would submit for a form as it stands on the page: named, enabled fields; checked boxes only; the
/// selected option. Linked into every test project that fills forms over plain HTTP (one copy, see tests/Shared).
/// </summary>
internal static class HtmlFormFields
{
    public static List<KeyValuePair<string, string>> Of(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            var name = element.GetAttribute("name");
            if (string.IsNullOrEmpty(name) || element.HasAttribute("disabled"))
                continue;
            switch (element)
            {
                case IHtmlInputElement input when input.Type is "submit" or "button" or "image" or "reset" or "file":
                    continue;
                case IHtmlInputElement input when input.Type is "checkbox" or "radio":
                    if (input.IsChecked)
                        fields.Add(new(name, input.GetAttribute("value") ?? "on"));
                    break;
                case IHtmlInputElement input:
                    fields.Add(new(name, input.GetAttribute("value") ?? ""));
                    break;
                case IHtmlTextAreaElement textArea:
                    fields.Add(new(name, textArea.Value));
                    break;
                case IHtmlSelectElement select:
                    var option = select.Options.FirstOrDefault(o => o.IsSelected) ?? select.Options.FirstOrDefault();
                    if (option is not null)
                        fields.Add(new(name, option.Value));
                    break;
            }
        }
        return fields;
    }
}
