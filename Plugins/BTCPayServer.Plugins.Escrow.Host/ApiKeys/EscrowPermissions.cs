namespace BTCPayServer.Plugins.Escrow.Host.ApiKeys;

/// <summary>What an API key may do: the plugin's two store permissions, named as BTCPay names them.</summary>
public static class EscrowPermissions
{
    public const string ManageContracts = "btcpay.plugin.store.escrow.canmanagecontracts";
    public const string ArbitrateDisputes = "btcpay.plugin.store.escrow.canarbitratedisputes";

    public static readonly IReadOnlyList<string> All = [ManageContracts, ArbitrateDisputes];

    public static string Describe(string permission) => permission switch
    {
        ManageContracts => "Manage escrow contracts",
        ArbitrateDisputes => "Arbitrate escrow disputes",
        _ => permission,
    };
}
