using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace BTCPayServer.Plugins.Escrow.Security;

/// <summary>
/// Leaves the Web library's REST API controllers out of BTCPay. The API works in the standalone host (its own API keys
/// and idempotency store); inside BTCPay its keys, permissions and idempotency store are not wired into Greenfield yet,
/// so no half-wired endpoint answers there: the routes do not exist (404) until they are.
/// </summary>
public sealed class WithoutEscrowApi : IApplicationFeatureProvider<ControllerFeature>
{
    public const string ApiNamespaceSuffix = ".Controllers.Api";

    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        foreach (var controller in feature.Controllers.Where(IsEscrowApi).ToList())
            feature.Controllers.Remove(controller);
    }

    private static bool IsEscrowApi(TypeInfo controller) =>
        controller.Assembly.GetName().Name == "BTCPayServer.Plugins.Escrow.Web"
        && controller.Namespace?.EndsWith(ApiNamespaceSuffix, StringComparison.Ordinal) == true;
}
