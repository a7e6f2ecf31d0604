using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// Model binding's own refusals repeat the value typed ("The value 'xyz' is not valid for Unit."), however long it is:
/// a 100 KB value came back as a 100 KB message. This keeps the message and cuts the value it quotes.
/// Applied to the pages that show binding errors (contract, settings and ruling forms).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ShortBindingErrorsAttribute : ActionFilterAttribute
{
    public const int MaxQuotedLength = 40;

    public override void OnActionExecuting(ActionExecutingContext context)
    {
        foreach (var entry in context.ModelState.Values)
        {
            if (entry.AttemptedValue is not { Length: > MaxQuotedLength } attempted || entry.Errors.All(e => !e.ErrorMessage.Contains(attempted, StringComparison.Ordinal)))
                continue;
            var shortened = entry.Errors.Select(e => new ModelError(e.ErrorMessage.Replace(attempted, attempted[..MaxQuotedLength] + "…", StringComparison.Ordinal))).ToList();
            entry.Errors.Clear();
            foreach (var error in shortened)
                entry.Errors.Add(error);
        }
    }
}
