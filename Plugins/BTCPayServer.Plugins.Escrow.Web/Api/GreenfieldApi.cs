namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>Names the escrow API shares with BTCPay's Greenfield API, so the same controllers run inside BTCPay and in the standalone host.</summary>
public static class GreenfieldApi
{
    /// <summary>
    /// The schemes the API authenticates with: BTCPay's own two (its <c>AuthenticationSchemes.Greenfield</c>: API keys,
    /// and Basic with a user's password); the standalone host registers its API keys under the first and nothing that
    /// accepts a password under the second.
    /// </summary>
    public const string AuthenticationSchemes = ApiKeyScheme + "," + BasicScheme;

    public const string ApiKeyScheme = "Greenfield.APIKeys";
    public const string BasicScheme = "Greenfield.Basic";

    /// <summary>The authentication type of the identity either scheme signs in (BTCPay's <c>GreenfieldConstants.AuthenticationType</c>).</summary>
    public const string AuthenticationType = "Greenfield";

    public const string RoutePrefix = "api/v1/stores/{storeId}/escrow";

    /// <summary>ApiExplorer group (and OpenAPI document name) of the escrow API.</summary>
    public const string DocumentName = "escrow";

    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Largest request body read (a contract of 100 milestones with long texts is well under it).</summary>
    public const int MaxBodyBytes = 1_000_000;
}
