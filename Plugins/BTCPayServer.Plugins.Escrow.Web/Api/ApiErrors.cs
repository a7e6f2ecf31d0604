using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>A refusal in Greenfield's shape: a stable code and a sentence for people.</summary>
public sealed record GreenfieldError(string Code, string Message);

/// <summary>One refused field in Greenfield's validation shape (answered as a list, with status 422).</summary>
public sealed record GreenfieldValidationError(string Path, string Message);

public static class ApiErrors
{
    public static IActionResult Error(int status, string code, string message) => new ApiResult(new GreenfieldError(code, message), status);

    public static IActionResult NotFound(string what = "contract") =>
        Error(StatusCodes.Status404NotFound, $"{what}-not-found", $"The {what} does not exist in this store.");

    public static IActionResult Validation(IEnumerable<GreenfieldValidationError> errors) =>
        new ApiResult(errors.ToList(), StatusCodes.Status422UnprocessableEntity);

    public static IActionResult Validation(string path, string message) => Validation([new GreenfieldValidationError(path, message)]);
}
