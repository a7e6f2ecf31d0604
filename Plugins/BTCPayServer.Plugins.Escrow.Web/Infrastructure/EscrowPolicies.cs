namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>The library's own authorization policy names; each host maps them (BTCPay onto store permissions, the standalone host onto its login).</summary>
public static class EscrowPolicies
{
    public const string ManageContracts = "Escrow.ManageContracts";
    public const string ArbitrateDisputes = "Escrow.ArbitrateDisputes";
}
