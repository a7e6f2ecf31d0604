using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The three parties' keys of one contract, checked together: one per role, all on the escrow's network, and no two
/// from the same wallet. Two keys from one seed would let one person spend alone, which is custody in disguise.
/// </summary>
public sealed class EscrowKeySet
{
    private EscrowKeySet(Network network, PartyKey client, PartyKey freelancer, PartyKey agency)
    {
        Network = network;
        Client = client;
        Freelancer = freelancer;
        Agency = agency;
    }

    public Network Network { get; }
    public PartyKey Client { get; }
    public PartyKey Freelancer { get; }
    public PartyKey Agency { get; }
    public IReadOnlyList<PartyKey> All => [Client, Freelancer, Agency];

    public PartyKey For(EscrowRole role) => role switch
    {
        EscrowRole.Client => Client,
        EscrowRole.Freelancer => Freelancer,
        _ => Agency,
    };

    /// <summary>Parses and checks the three pasted keys; the first refusal names its field.</summary>
    public static Checked<EscrowKeySet> Parse(string? client, string? freelancer, string? agency, Network network)
    {
        var c = PartyKeyParser.Parse(client, EscrowRole.Client, network);
        if (!c.IsValid) return c.Pass<EscrowKeySet>();
        var f = PartyKeyParser.Parse(freelancer, EscrowRole.Freelancer, network);
        if (!f.IsValid) return f.Pass<EscrowKeySet>();
        var a = PartyKeyParser.Parse(agency, EscrowRole.Agency, network);
        if (!a.IsValid) return a.Pass<EscrowKeySet>();
        return Create(c.Value!, f.Value!, a.Value!, network);
    }

    public static Checked<EscrowKeySet> Create(PartyKey client, PartyKey freelancer, PartyKey agency, Network network)
    {
        (PartyKey Key, EscrowRole Expected)[] keys = [(client, EscrowRole.Client), (freelancer, EscrowRole.Freelancer), (agency, EscrowRole.Agency)];
        foreach (var (key, expected) in keys)
        {
            if (key.Role != expected)
                return Checked<EscrowKeySet>.Refused(expected.KeyField(), $"The {expected.Noun()}'s key was given as the {key.Role.Noun()}'s.");
            if (key.AccountKey.Network.ChainName != network.ChainName)
                return Checked<EscrowKeySet>.Refused(expected.KeyField(), $"The {expected.Noun()}'s key is for {key.AccountKey.Network.ChainName}, not {network.ChainName}.");
        }
        for (var i = 1; i < keys.Length; i++)
        for (var j = 0; j < i; j++)
        {
            var (later, earlier) = (keys[i].Key, keys[j].Key);
            if (later.AccountKey.ExtPubKey.PubKey == earlier.AccountKey.ExtPubKey.PubKey)
                return Checked<EscrowKeySet>.Refused(later.Role.KeyField(),
                    $"The {later.Role.Noun()}'s key is the same key as the {earlier.Role.Noun()}'s. Each party must give a key of their own wallet.");
            if (later.Fingerprint == earlier.Fingerprint)
                return Checked<EscrowKeySet>.Refused(later.Role.KeyField(),
                    $"The {later.Role.Noun()}'s key comes from the same wallet (master fingerprint {later.Fingerprint}) as the {earlier.Role.Noun()}'s. One wallet holding two of the three keys could spend alone; each party must use their own wallet.");
        }
        return Checked<EscrowKeySet>.Ok(new EscrowKeySet(network, client, freelancer, agency));
    }
}
