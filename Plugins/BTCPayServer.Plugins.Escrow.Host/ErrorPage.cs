using System.Security.Cryptography;
using Microsoft.AspNetCore.Diagnostics;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// What a visitor sees when a request fails unexpectedly (a 500): a page that says so, with a reference to quote, never
/// the exception. The log holds the exception under the same reference; it names the endpoint, not the URL, since a
/// party page's URL holds its secret.
/// </summary>
public static class ErrorPage
{
    public const string LogCategory = "BTCPayServer.Plugins.Escrow.Host.Errors";

    public static async Task WriteAsync(HttpContext context)
    {
        var reference = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var failure = context.Features.Get<IExceptionHandlerPathFeature>();
        if (DatabaseUnavailable.In(failure?.Error))
        {
            await WriteUnavailableAsync(context, failure!, reference);
            return;
        }
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory)
            .LogError(failure?.Error, "Unhandled error, reference {Reference}, in {Endpoint}", reference, failure?.Endpoint?.DisplayName ?? "no endpoint");

        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.Headers.CacheControl = "no-store";
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.6.1",
                title = "Something went wrong",
                status = 500,
                detail = $"The error was logged with reference {reference}. Nothing you sent was half-saved.",
                reference,
            }, options: null, contentType: "application/problem+json");
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Something went wrong · BTCPay Escrow</title>
            <link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css" /><link rel="stylesheet" href="/escrow/assets/escrow.css" /></head>
            <body><main class="container py-5 escrow-page">
            <h1 class="h3">Something went wrong</h1>
            <p>This page could not be shown. Nothing you sent was half-saved: go back and try again in a moment.</p>
            <p>If it keeps happening, tell the people who sent you here this reference: <strong id="ErrorReference">{{reference}}</strong></p>
            </main></body>
            </html>
            """);
    }

    /// <summary>
    /// The database is away (stopped, restarting, its connections cut): a 503 that says so and when to try again, logged
    /// as a warning with the reason in one line; nothing was saved by the request, and the next one works once it is back.
    /// </summary>
    private static async Task WriteUnavailableAsync(HttpContext context, IExceptionHandlerPathFeature failure, string reference)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory)
            .LogWarning("Database unavailable, reference {Reference}, in {Endpoint}: {Reason}", reference, failure.Endpoint?.DisplayName ?? "no endpoint",
                DatabaseUnavailable.Reason(failure.Error));
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.RetryAfter = "5";
        const string detail = "The escrow's database cannot be reached right now. Nothing was changed by this request: try again in a moment.";
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                title = "Database unavailable",
                status = 503,
                code = "database-unavailable",
                detail,
                reference,
            }, options: null, contentType: "application/problem+json");
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Temporarily unavailable · BTCPay Escrow</title>
            <link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css" /><link rel="stylesheet" href="/escrow/assets/escrow.css" /></head>
            <body><main class="container py-5 escrow-page">
            <h1 class="h3" id="Unavailable">Temporarily unavailable</h1>
            <p>{{detail}}</p>
            <p>If it keeps happening, tell the people who sent you here this reference: <strong id="ErrorReference">{{reference}}</strong></p>
            </main></body>
            </html>
            """);
    }
}
