using System.Text.Json.Nodes;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>The Greenfield permissions the host needs on its BTCPay store, and the check of an API key's list.</summary>
public static class GreenfieldPermissions
{
    public const string CreateInvoice = "btcpay.store.cancreateinvoice";
    public const string ViewInvoices = "btcpay.store.canviewinvoices";
    /// <summary>Create, list, archive pull payments and refunds (includes canCreatePullPayments and canArchivePullPayments).</summary>
    public const string ManagePullPayments = "btcpay.store.canmanagepullpayments";
    public const string ModifyWebhooks = "btcpay.store.webhooks.canmodifywebhooks";

    public static readonly IReadOnlyList<string> Required = [CreateInvoice, ViewInvoices, ManagePullPayments, ModifyWebhooks];

    /// <summary>Broader permissions that include a required one (BTCPay's own hierarchy, the part that matters here).</summary>
    private static readonly Dictionary<string, string[]> IncludedBy = new()
    {
        [CreateInvoice] = ["btcpay.store.canmodifyinvoices", "btcpay.store.canmodifystoresettings"],
        [ViewInvoices] = ["btcpay.store.canmodifyinvoices", "btcpay.store.canmodifystoresettings"],
        [ManagePullPayments] = ["btcpay.store.canmodifystoresettings"],
        [ModifyWebhooks] = ["btcpay.store.canmodifystoresettings"],
    };

    /// <summary>The required permissions the key does not hold on the store (empty: it may run the escrow).</summary>
    public static IReadOnlyList<string> Missing(JsonNode? apiKey, string storeId)
    {
        var held = (apiKey?["permissions"] as JsonArray ?? []).Select(p => (string?)p).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (held.Contains("unrestricted"))
            return [];
        // A store permission holds for every store without a suffix, or for one store as "<permission>:<storeId>".
        bool Holds(string permission) => held.Contains(permission) || held.Contains($"{permission}:{storeId}");
        return Required.Where(p => !Holds(p) && !IncludedBy[p].Any(Holds)).ToList();
    }
}
