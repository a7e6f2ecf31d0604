using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>The host's public address, from Escrow:PublicUrl (checked at start-up: the host does not start without it).</summary>
public sealed class ConfiguredPublicAddress(string baseUrl) : IPublicAddress
{
    public string BaseUrl() => baseUrl;
}
