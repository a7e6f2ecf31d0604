using BTCPayServer.Plugins.Escrow.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// Greenfield's error shapes for the API: input that did not bind or that Core refused → 422 with the fields;
/// another store's (or no) contract → 404; a stale version or a concurrent save → 409; any other refusal of the
/// escrow's rules → 400 with its code. Nothing was saved in any of these cases.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ApiErrorFilterAttribute : Attribute, IActionFilter, IExceptionFilter
{
    public void OnActionExecuting(ActionExecutingContext context)
    {
        if (context.ModelState.IsValid)
            return;
        // A body that could not be read leaves its parameter unbound, and MVC adds "The request field is required." on
        // top of the reason the binder gave: only the reason is worth showing.
        var bodies = context.ActionDescriptor.Parameters.Where(p => p.BindingInfo?.BindingSource == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body).Select(p => p.Name).ToHashSet();
        var errors = context.ModelState
            .Where(e => e.Value is { Errors.Count: > 0 } && !bodies.Contains(e.Key))
            .SelectMany(e => e.Value!.Errors.Select(error => new GreenfieldValidationError(CamelPath(e.Key), Message(error))))
            .ToList();
        context.Result = errors.Count > 0 ? ApiErrors.Validation(errors) : ApiErrors.Validation("", "The body could not be read.");
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    public void OnException(ExceptionContext context)
    {
        context.Result = context.Exception switch
        {
            InvalidInputException e => ApiErrors.Validation(e.Field, e.Message),
            ContractNotFoundException => ApiErrors.NotFound(),
            NotFoundException e => ApiErrors.Error(StatusCodes.Status404NotFound, e.Code, e.Message),
            ConcurrencyConflictException => ApiErrors.Error(StatusCodes.Status409Conflict, "contract-version-conflict",
                "The contract changed since the version sent (or someone else changed it at the same time): read it again and send its current version."),
            EscrowException e => ApiErrors.Error(StatusCodes.Status400BadRequest, e.Code, e.Message),
            _ => null,
        };
        context.ExceptionHandled = context.Result is not null;
    }

    private static string Message(Microsoft.AspNetCore.Mvc.ModelBinding.ModelError error) =>
        string.IsNullOrEmpty(error.ErrorMessage) ? "This value is not valid." : error.ErrorMessage;

    /// <summary>Query parameters are bound by their C# names; the API names them in camelCase.</summary>
    private static string CamelPath(string key) => key.Length == 0 ? key : char.ToLowerInvariant(key[0]) + key[1..];
}
