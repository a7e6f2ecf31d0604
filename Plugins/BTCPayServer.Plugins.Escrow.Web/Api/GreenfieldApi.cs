namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>Names the escrow API shares with BTCPay's Greenfield API, so the same controllers run inside BTCPay and in the standalone host.</summary>
public static class GreenfieldApi
{
    /// <summary>BTCPay's own API authentication scheme name; the standalone host registers its API keys under it too.</summary>
    public const string AuthenticationScheme = "Greenfield";

    public const string RoutePrefix = "api/v1/stores/{storeId}/escrow";

    /// <summary>ApiExplorer group (and OpenAPI document name) of the escrow API.</summary>
    public const string DocumentName = "escrow";

    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Largest request body read (a contract of 100 milestones with long texts is well under it).</summary>
    public const int MaxBodyBytes = 1_000_000;
}
