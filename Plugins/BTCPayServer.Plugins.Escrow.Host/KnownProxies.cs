using System.Net;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>Escrow:KnownProxies read as networks: "10.0.0.5" is that address alone, "10.0.0.0/8" the whole network.</summary>
public static class KnownProxies
{
    public static IReadOnlyList<IPNetwork> Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries.SelectMany(e => e.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (IPNetwork.TryParse(entry, out var network))
                networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new InvalidOperationException($"Escrow:KnownProxies: \"{entry}\" is neither an IP address nor a network such as 10.0.0.0/8.");
        }
        return networks;
    }
}
