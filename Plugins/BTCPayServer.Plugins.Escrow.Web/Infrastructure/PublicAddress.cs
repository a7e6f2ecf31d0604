namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// The address people reach this server at, as the host is configured with it. Links that are stored or sent (party
/// links, checkout and claim links) are built from it, never from the request: its Host header is the client's to choose.
/// Each host supplies one (the standalone host from Escrow:PublicUrl, the plugin from BTCPay's Base URL setting).
/// </summary>
public interface IPublicAddress
{
    /// <summary>The base URL without a trailing slash (scheme, host, port, and a path when the server lives under one).</summary>
    /// <exception cref="Core.EscrowException">No public address is configured: no link is made.</exception>
    string BaseUrl();
}
