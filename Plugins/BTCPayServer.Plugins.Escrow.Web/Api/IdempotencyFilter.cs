using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Api;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the first request with a key is answered and its answer kept (see
/// <see cref="IdempotencyRecord"/>); the same key with the same method, path and body gets that answer again
/// (<c>Idempotent-Replayed: true</c>) and nothing is done twice; the same key with another request is a 422. Keys
/// belong to a store and an API client. Answers of 409 and 5xx are not kept: trying again may succeed.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class IdempotentPostsAttribute : Attribute, IFilterFactory
{
    public bool IsReusable => true;

    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider) =>
        new IdempotencyFilter(serviceProvider.GetRequiredService<IIdempotencyStore>(), serviceProvider.GetRequiredService<TimeProvider>());
}

public sealed class IdempotencyFilter(IIdempotencyStore store, TimeProvider clock) : IAsyncResourceFilter, IAsyncAlwaysRunResultFilter
{
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const string AnswerKey = "escrow.api.answer";

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Headers.TryGetValue(GreenfieldApi.IdempotencyHeader, out var values))
        {
            await next();
            return;
        }
        var key = values.ToString();
        if (key.Length is 0 or > IdempotencyRecord.MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            context.Result = ApiErrors.Validation(GreenfieldApi.IdempotencyHeader,
                $"An idempotency key is 1 to {IdempotencyRecord.MaxKeyLength} visible ASCII characters (a UUID is a good choice), sent once per request.");
            return;
        }
        var body = await RequestBody.ReadAsync(http);
        if (body is null)
        {
            context.Result = ApiErrors.Error(StatusCodes.Status413PayloadTooLarge, "body-too-large", $"The body is larger than {GreenfieldApi.MaxBodyBytes} bytes.");
            return;
        }
        var record = new IdempotencyRecord(
            http.GetRouteValue("storeId") as string ?? "",
            ClientOf(http),
            key,
            Fingerprint(http.Request, body),
            clock.GetUtcNow());
        if (await store.ClaimAsync(record, http.RequestAborted) is { } earlier)
        {
            context.Result = Answer(earlier, record.RequestHash);
            return;
        }
        var executed = await next();
        var answered = http.Items[AnswerKey] is (int status, string json) ? (status, json) : ((int, string)?)null;
        if (executed.Exception is not null && !executed.ExceptionHandled || answered is not { } answer || answer.Item1 >= 500 || answer.Item1 == StatusCodes.Status409Conflict)
        {
            await store.ReleaseAsync(record, CancellationToken.None);
            return;
        }
        record.Complete(answer.Item1, answer.Item2);
        await store.CompleteAsync(record, CancellationToken.None);
    }

    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        if (context.Result is ApiResult result)
            context.HttpContext.Items[AnswerKey] = (result.StatusCode, JsonSerializer.Serialize(result.Replayable, result.Replayable.GetType(), ApiJson.Options));
        await next();
    }

    private static IActionResult Answer(IdempotencyRecord earlier, string requestHash)
    {
        if (earlier.RequestHash != requestHash)
            return ApiErrors.Validation(GreenfieldApi.IdempotencyHeader, "This idempotency key was already used for another request; send a new key with a new request.");
        if (!earlier.IsComplete)
            return ApiErrors.Error(StatusCodes.Status409Conflict, "idempotency-key-in-use", "A request with this idempotency key is still being answered; try again in a moment.");
        return new ReplayedAnswer(earlier.StatusCode!.Value, earlier.ResponseBody ?? "null");
    }

    /// <summary>
    /// Who the key belongs to: the API key that sent the request (kept by its hash), otherwise the authenticated user.
    /// BTCPay's principal names only the key's user, who may hold several keys used by unrelated tools.
    /// </summary>
    public static string ClientOf(HttpContext http)
    {
        if (ApiKeyOf(http.Request) is { } apiKey)
            return "key:" + CapabilityToken.HashOf(apiKey);
        var id = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? http.User.Identity?.Name ?? "anonymous";
        // A host's ids may be longer than the column: a long one is kept by its hash, which is as unique.
        return id.Length <= IdempotencyRecord.MaxClientIdLength ? id : "sha256:" + CapabilityToken.HashOf(id);
    }

    /// <summary>The key of <c>Authorization: token &lt;key&gt;</c> (or <c>bearer</c>, as BTCPay also reads it).</summary>
    private static string? ApiKeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        foreach (var scheme in (string[])["token ", "bearer "])
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header[scheme.Length..].Trim() is { Length: > 0 } key)
                return key;
        return null;
    }

    private static string Fingerprint(HttpRequest request, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n");
        return Convert.ToHexStringLower(SHA256.HashData([.. head, .. body]));
    }

    private sealed class ReplayedAnswer(int status, string json) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.Headers[ReplayedHeader] = "true";
            return ApiResult.WriteAsync(context.HttpContext.Response, status, Encoding.UTF8.GetBytes(json));
        }
    }
}
