using BTCPayServer.Plugins.Escrow.Core;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class ModelStateErrors
{
    /// <summary>Puts a domain refusal next to the form field it is about (Core's "milestones[0].amount" → "Milestones[0].Amount").</summary>
    public static void AddEscrowError(this ModelStateDictionary modelState, EscrowException error, string? prefix = null)
    {
        var key = error is InvalidInputException input ? FieldKey(input.Field, prefix) : string.Empty;
        modelState.AddModelError(key, error.Message);
    }

    public static string FieldKey(string field, string? prefix = null)
    {
        var key = string.Join('.', field.Split('.').Select(segment => segment.Length == 0 ? segment : char.ToUpperInvariant(segment[0]) + segment[1..]));
        return string.IsNullOrEmpty(prefix) ? key : $"{prefix}.{key}";
    }

    /// <summary>
    /// A checkbox posted with a value that is no boolean ("yes", 200 letters) made the form throw while it was shown
    /// again (a 500 for a bad value): it shows what was bound instead, and the binding error stays on the page.
    /// </summary>
    public static void ShowBoundCheckbox(this ModelStateDictionary modelState, string key, bool bound)
    {
        if (modelState.TryGetValue(key, out var entry) && entry.RawValue is not null && !bool.TryParse(entry.AttemptedValue, out _))
            modelState.SetModelValue(key, bound, bound.ToString());
    }
}
