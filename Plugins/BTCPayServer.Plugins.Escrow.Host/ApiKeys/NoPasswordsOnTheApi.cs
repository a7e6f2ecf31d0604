using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.ApiKeys;

/// <summary>
/// BTCPay's API also takes a user's password (scheme "Greenfield.Basic"); the standalone host's API takes API keys
/// only. The API's controllers name both of BTCPay's schemes, so the host registers this one, which signs nobody in
/// and leaves the answer (401 or 403) to the API key scheme.
/// </summary>
public sealed class NoPasswordsOnTheApi(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Task.CompletedTask;

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Task.CompletedTask;
}
