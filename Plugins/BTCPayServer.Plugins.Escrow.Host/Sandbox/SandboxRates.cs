namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>Fixed pretend exchange rates (units of a currency per BTC), so sandbox payments have a crypto side.</summary>
public static class SandboxRates
{
    private static readonly Dictionary<string, decimal> PerBtc = new()
    {
        ["BTC"] = 1m, ["LBTC"] = 1m, ["SATS"] = 100_000_000m,
        ["USD"] = 50_000m, ["EUR"] = 46_000m, ["GBP"] = 40_000m, ["CHF"] = 44_000m, ["JPY"] = 7_500_000m,
    };

    public static decimal Rate(string currency) => PerBtc.GetValueOrDefault(currency, 50_000m);

    public static decimal ToBtc(decimal amount, string currency) => decimal.Round(amount / Rate(currency), 8, MidpointRounding.ToZero);
}
