using BTCPayServer.Abstractions;
using BTCPayServer.Abstractions.Extensions;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Services;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The address people reach this server at, for the links the escrow stores and hands out (party, checkout, claim):
/// BTCPay's Base URL setting only. Never the current request (its Host header is the client's to choose) nor an
/// invoice's server URL (which came from a request): without the setting, no link is made and the act says why.
/// </summary>
public sealed class EscrowLinks(ISettingsAccessor<ServerSettings> serverSettings) : IPublicAddress
{
    public RequestBaseUrl RequestBase()
    {
        if (RequestBaseUrl.TryFromUrl(serverSettings.Settings.BaseUrl ?? "", out var configured))
            return configured;
        throw new EscrowException("gateway.no-base-url",
            "This server's public address is not set, and escrow links are never built from a request: set it in Server settings > Branding > Base URL.");
    }

    public string BaseUrl() => RequestBase().ToString().TrimEnd('/');
}
