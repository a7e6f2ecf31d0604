using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// An answer of the API, written with <see cref="ApiJson.Options"/>. An answer that carries a secret shown once (a
/// party link) says what may be kept of it: <see cref="Replayable"/> is what an idempotent retry gets back.
/// </summary>
public sealed class ApiResult(object value, int statusCode = 200, object? replayable = null) : IActionResult
{
    public object Value { get; } = value;
    public int StatusCode { get; } = statusCode;

    /// <summary>The same answer without its secrets (the answer itself when it has none).</summary>
    public object Replayable { get; } = replayable ?? value;

    public Task ExecuteResultAsync(ActionContext context) => WriteAsync(context.HttpContext.Response, StatusCode, JsonSerializer.SerializeToUtf8Bytes(Value, Value.GetType(), ApiJson.Options));

    public static async Task WriteAsync(Microsoft.AspNetCore.Http.HttpResponse response, int statusCode, byte[] json)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(json);
    }
}
