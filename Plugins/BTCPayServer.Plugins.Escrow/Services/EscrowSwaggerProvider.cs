using BTCPayServer.Abstractions.Contracts;
using BTCPayServer.Plugins.Escrow.Web.Api;
using Newtonsoft.Json.Linq;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The escrow API in BTCPay's <c>/swagger/v1/swagger.json</c> (and so in its API documentation page). BTCPay reads its
/// own fragments from its web root only, where a plugin's files never are; this gives the Web library's embedded
/// document, converted to BTCPay's OpenAPI 3.0 (see <see cref="OpenApiFragment"/>).
/// </summary>
public sealed class EscrowSwaggerProvider : ISwaggerProvider
{
    private readonly Lazy<string> _fragment = new(OpenApiFragment.ForBtcPay);

    public Task<JObject> Fetch() => Task.FromResult(JObject.Parse(_fragment.Value));
}
