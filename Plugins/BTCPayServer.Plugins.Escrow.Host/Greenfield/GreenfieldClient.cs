using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core;
using Polly;
using Polly.Retry;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>BTCPay did not answer usefully this time (5xx, timeout, no connection): worth another attempt.</summary>
public sealed class GreenfieldTransientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Greenfield over HTTP with the store's API key. One request is one attempt; callers wrap whole operations in
/// <see cref="RetryAsync{T}"/>, so a retried operation can first look for what an earlier attempt already made.
/// 4xx answers are never retried: they become an <see cref="EscrowException"/> that says what to fix.
/// </summary>
public sealed class GreenfieldClient
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _retry;
    private readonly TimeSpan _timeout;

    public GreenfieldClient(HttpClient http, BTCPayConnection connection, ILogger<GreenfieldClient> logger)
    {
        _http = http;
        _http.BaseAddress = connection.BaseUri();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", connection.ApiKey);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _timeout = TimeSpan.FromSeconds(Math.Max(0.1, connection.RequestTimeoutSeconds));
        StoreId = connection.StoreId!;
        // Retries = 0 means "try once": Polly's retry strategy needs at least one retry, so then there is none.
        _retry = connection.Retries < 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<GreenfieldTransientException>(),
            MaxRetryAttempts = Math.Min(connection.Retries, 20),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(Math.Max(0, connection.RetryDelaySeconds)),
            OnRetry = args =>
            {
                logger.LogWarning("BTCPay: {Problem}; attempt {Attempt} in {Delay}", args.Outcome.Exception?.Message, args.AttemptNumber + 2, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>The BTCPay store's id.</summary>
    public string StoreId { get; }

    /// <summary>Runs an operation again after transient failures (exponential back-off with jitter); then reports BTCPay as unreachable.</summary>
    public async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async ct => await operation(ct), cancellationToken);
        }
        catch (GreenfieldTransientException e)
        {
            throw new EscrowException("gateway.unreachable", $"BTCPay Server did not answer ({e.Message}).");
        }
    }

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body, cancellationToken);

    public Task<JsonNode?> PutAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>One attempt. 404 answers null (the caller decides what a missing object means); other 4xx throw <see cref="GreenfieldRefusedException"/>.</summary>
    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.SendAsync(request, timeout.Token);
            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GreenfieldTransientException($"no answer to {method} {path} within {_timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new GreenfieldTransientException($"{method} {path}: {e.Message}", e);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                return text.Length == 0 ? null : JsonNode.Parse(text);
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
                throw new GreenfieldTransientException($"{method} {path} answered {status}");
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            throw new GreenfieldRefusedException(response.StatusCode, ErrorMessage(text));
        }
    }

    /// <summary>BTCPay's Greenfield errors: <c>{code, message}</c>, or <c>[{path, message}]</c> for validation.</summary>
    private static string ErrorMessage(string text)
    {
        try
        {
            return JsonNode.Parse(text) switch
            {
                JsonArray errors => string.Join(" ", errors.Select(e => $"{e?["path"]}: {e?["message"]}".TrimStart(':', ' '))),
                JsonObject error => (string?)error["message"] ?? (string?)error["detail"] ?? (string?)error["title"] ?? "",
                _ => "",
            };
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

/// <summary>BTCPay refused a request (4xx other than 404); <see cref="EscrowException.Message"/> says why, for staff.</summary>
public sealed class GreenfieldRefusedException(HttpStatusCode status, string detail)
    : EscrowException(CodeOf(status), MessageOf(status, detail))
{
    public HttpStatusCode Status { get; } = status;
    public string Detail { get; } = detail;

    private static string CodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "gateway.btcpay-key-refused",
        HttpStatusCode.Forbidden => "gateway.btcpay-permission-missing",
        _ => "gateway.btcpay-refused",
    };

    private static string MessageOf(HttpStatusCode status, string detail) => status switch
    {
        HttpStatusCode.Unauthorized => "BTCPay Server refused the API key (401): it was revoked or mistyped. Set Escrow:BTCPay:ApiKey to a working key.",
        HttpStatusCode.Forbidden => "BTCPay Server refused the request (403): the API key lacks a permission on the store. The README lists the permissions it needs.",
        _ => $"BTCPay Server refused the request ({(int)status}). {detail}".Trim(),
    };
}
