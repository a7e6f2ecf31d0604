using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Host.Accounts;
using BTCPayServer.Plugins.Escrow.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.ApiKeys;

/// <summary>
/// The API's authentication in the standalone host, under BTCPay's scheme name ("Greenfield.APIKeys") and header
/// (<c>Authorization: token &lt;key&gt;</c>). No key or an unknown or revoked one → 401; a key without the permission
/// the call needs → 403; a key of another store → 404 (the host serves one store, but every call still names it).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyStore keys, IOptions<EscrowHostOptions> hostOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string KeyIdPrefix = "apikey:";
    private const string Prefix = "token ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        var token = header[Prefix.Length..].Trim();
        if (token.Length is 0 or > 200 || keys.Find(token) is not { IsRevoked: false } key)
            return Task.FromResult(AuthenticateResult.Fail("Unknown or revoked API key."));
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, KeyIdPrefix + key.Id),
            new(ClaimTypes.Name, key.Label),
            new(StoreStaffRequirement.StoreClaim, hostOptions.Value.StoreId),
        };
        claims.AddRange(key.Permissions.Select(p => new Claim(StoreStaffRequirement.PermissionClaim, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, GreenfieldApi.AuthenticationType));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Write(StatusCodes.Status401Unauthorized, "unauthenticated",
            "Authenticate with an API key that works: send the header 'Authorization: token <key>' (keys are made by the administrator under API keys).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // Another store's resources do not exist for this key: the same 404 as an unknown contract.
        if (Context.GetRouteValue("storeId") is string storeId && !Context.User.HasClaim(StoreStaffRequirement.StoreClaim, storeId))
            return Write(StatusCodes.Status404NotFound, "store-not-found", "The store does not exist or this API key is not one of its keys.");
        var missing = Context.Items[StoreStaffRequirement.MissingPermissionItem] as string;
        return Write(StatusCodes.Status403Forbidden, "missing-permission",
            missing is null ? "This API key may not make this call." : $"This API key lacks the permission '{missing}' ({EscrowPermissions.Describe(missing)}).");
    }

    private Task Write(int status, string code, string message) =>
        ApiResult.WriteAsync(Response, status, JsonSerializer.SerializeToUtf8Bytes(new GreenfieldError(code, message), ApiJson.Options));
}
