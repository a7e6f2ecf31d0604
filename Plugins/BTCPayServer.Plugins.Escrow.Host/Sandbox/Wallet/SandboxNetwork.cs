using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The Bitcoin network the sandbox chain pretends to be (Escrow:SandboxNetwork): regtest by default, or testnet or
/// signet for addresses that look like those. Never mainnet: the sandbox's coins are not real.
/// </summary>
public sealed record SandboxNetwork(string Name, Network Network)
{
    public static SandboxNetwork Parse(string? configured) => (configured ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "regtest" => new("regtest", Network.RegTest),
        "testnet" => new("testnet", Network.TestNet),
        "signet" => new("signet", Bitcoin.Instance.Signet),
        _ => throw new InvalidOperationException(
            $"{EscrowHostOptions.Section}:SandboxNetwork is \"{configured}\": the sandbox chain runs on regtest (the default), testnet or signet, never mainnet."),
    };
}
