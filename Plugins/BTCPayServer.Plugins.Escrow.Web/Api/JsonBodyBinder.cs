using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// Reads an API body: JSON only, at most <see cref="GreenfieldApi.MaxBodyBytes"/>; what cannot be read becomes one
/// validation error at the field it is about, in words (<see cref="JsonErrors"/>), and the action is not run.
/// </summary>
public sealed class JsonBodyBinder : IModelBinder
{
    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var http = bindingContext.HttpContext;
        var body = await RequestBody.ReadAsync(http);
        if (body is null)
        {
            bindingContext.ModelState.AddModelError("", $"The body is larger than {GreenfieldApi.MaxBodyBytes} bytes.");
            return;
        }
        if (body.Length == 0 && !bindingContext.ModelMetadata.IsRequired)
        {
            // An act whose body is optional ({"version": …} only): nothing sent is nothing asked.
            bindingContext.Result = ModelBindingResult.Success(null);
            return;
        }
        if (body.Length == 0)
        {
            bindingContext.ModelState.AddModelError("", "Send a JSON object as the body (Content-Type: application/json).");
            return;
        }
        if (!IsJson(http.Request.ContentType))
        {
            bindingContext.ModelState.AddModelError("", "Send the body as JSON (Content-Type: application/json).");
            return;
        }
        try
        {
            var value = JsonSerializer.Deserialize(body, bindingContext.ModelType, ApiJson.Options);
            if (value is null)
            {
                bindingContext.ModelState.AddModelError("", "Send a JSON object as the body, not null.");
                return;
            }
            bindingContext.Result = ModelBindingResult.Success(value);
        }
        catch (JsonException e)
        {
            var (path, message) = JsonErrors.Describe(e, bindingContext.ModelType);
            bindingContext.ModelState.AddModelError(path, message);
        }
    }

    /// <summary>The media types the OpenAPI document lists for bodies: application/json, text/json and application/*+json.</summary>
    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.MediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || type.MediaType.Value is { } value && value.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && value.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The raw body of an API request, read once (the idempotency check and the binder both need it).</summary>
public static class RequestBody
{
    private const string ItemKey = "escrow.api.body";

    /// <summary>The body's bytes, or null when it is too large.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var read))
            return read as byte[];
        byte[]? bytes = null;
        if (http.Request.ContentLength is not > GreenfieldApi.MaxBodyBytes)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > GreenfieldApi.MaxBodyBytes)
                    break;
            }
            bytes = buffer.Length > GreenfieldApi.MaxBodyBytes ? null : buffer.ToArray();
        }
        http.Items[ItemKey] = bytes;
        return bytes;
    }
}
