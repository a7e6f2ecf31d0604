using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Host.ApiKeys;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>The host with API keys of each kind: both permissions, one of each, and a revoked one.</summary>
public class ApiApp : EscrowApp
{
    public string BothKey { get; private set; } = "";
    public string ManageKey { get; private set; } = "";
    public string ArbitrateKey { get; private set; } = "";
    public string RevokedKey { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var keys = Services.GetRequiredService<ApiKeyStore>();
        BothKey = keys.Create("both", EscrowPermissions.All).Token;
        ManageKey = keys.Create("contracts only", [EscrowPermissions.ManageContracts]).Token;
        ArbitrateKey = keys.Create("disputes only", [EscrowPermissions.ArbitrateDisputes]).Token;
        var (revoked, token) = keys.Create("revoked", EscrowPermissions.All);
        keys.Revoke(revoked.Id);
        RevokedKey = token;
    }

    /// <summary>A client sending <paramref name="key"/> (none: no Authorization header); every answer is checked against the committed OpenAPI document.</summary>
    public ApiClient Api(string? key = null) => new(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }), key);

    public ApiClient Api(string? key, HttpClient http) => new(http, key);

    public static string Path(string rest = "", string storeId = StoreId) => $"/api/v1/stores/{storeId}/escrow{rest}";
}

/// <summary>An API answer: status, headers and the body as JSON (null when empty or not JSON).</summary>
public sealed record ApiAnswer(HttpStatusCode Status, string Body, HttpResponseMessage Response)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    public JsonNode This => Json ?? throw new Xunit.Sdk.XunitException($"No JSON body ({(int)Status}).");

    public string? Header(string name) => Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    public override string ToString() => $"{(int)Status} {Body}";
}

public sealed class ApiClient(HttpClient http, string? key)
{
    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiAnswer> PostAsync(string path, object? body = null, string? idempotencyKey = null) => SendAsync(HttpMethod.Post, path, body, idempotencyKey);

    public Task<ApiAnswer> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);

    /// <summary>Sends <paramref name="body"/> as JSON (a string is sent as it is: raw JSON or anything else).</summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, object? body = null, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Authorization", "token " + key);
        if (idempotencyKey is not null)
            request.Headers.TryAddWithoutValidation(GreenfieldApi.IdempotencyHeader, idempotencyKey);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, body.GetType(), ApiJson.Options);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        var response = await http.SendAsync(request);
        var answer = new ApiAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
        ApiSchemas.Validate(method.Method, path, answer);
        return answer;
    }
}
