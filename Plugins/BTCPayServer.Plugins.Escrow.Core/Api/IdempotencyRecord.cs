namespace BTCPayServer.Plugins.Escrow.Core.Api;

/// <summary>
/// One API request made with an <c>Idempotency-Key</c>: the key is scoped to the store and the API client, and the
/// first request's body fingerprint and answer are kept, so a retry gets the same answer and never acts twice.
/// A record without a status is a request still being answered.
/// </summary>
public sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 200;
    public const int MaxClientIdLength = 200;

    /// <summary>How long an answer is kept: a retry within it gets the same answer; after it the key is forgotten.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(7);

    /// <summary>
    /// A request still unanswered after this was cut short (the server stopped mid-request): its key is freed, so the
    /// client's retry is answered instead of "still being answered" forever.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(15);

    private IdempotencyRecord() { }

    public IdempotencyRecord(string storeId, string clientId, string key, string requestHash, DateTimeOffset createdAt)
    {
        StoreId = storeId;
        ClientId = clientId;
        Key = key;
        RequestHash = requestHash;
        CreatedAt = createdAt;
    }

    public string StoreId { get; private set; } = "";
    /// <summary>Who sent it (an API key's id, a user's id): two clients may use the same key without meeting.</summary>
    public string ClientId { get; private set; } = "";
    public string Key { get; private set; } = "";
    /// <summary>SHA-256 of the method, path and body of the first request.</summary>
    public string RequestHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public int? StatusCode { get; private set; }
    /// <summary>The answer as sent, without secrets (a party link's token is shown once and never stored).</summary>
    public string? ResponseBody { get; private set; }

    public bool IsComplete => StatusCode is not null;

    public void Complete(int statusCode, string responseBody)
    {
        StatusCode = statusCode;
        ResponseBody = responseBody;
    }
}
