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
        var errors = context.ModelState
            .Where(e => e.Value is { Errors.Count: > 0 })
            .SelectMany(e => e.Value!.Errors.Select(error => new GreenfieldValidationError(CamelPath(e.Key), Message(error))))
            .ToList();
        context.Result = ApiErrors.Validation(errors);
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
            ConcurrencyConflictException e => ApiErrors.Error(StatusCodes.Status409Conflict, "contract-version-conflict",
                e.Message + " (the contract's version changed: read it again and send its current version)."),
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
