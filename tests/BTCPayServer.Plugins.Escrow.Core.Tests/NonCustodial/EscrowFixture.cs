using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>Three wallets, their milestone escrow at index 7 and a sandbox chain; small builder for the spend tests.</summary>
public sealed class EscrowFixture
{
    public static readonly Network Net = Network.RegTest;

    public EscrowFixture(int seed = 1, uint index = 7)
    {
        Client = new TestWallet(Net, seed * 3);
        Freelancer = new TestWallet(Net, seed * 3 + 1);
        Agency = new TestWallet(Net, seed * 3 + 2);
        Keys = EscrowKeySet.Parse(Client.ExportedKey, Freelancer.ExportedKey, Agency.ExportedKey, Net).Unwrap();
        Escrow = new MilestoneEscrow(Keys, index);
        Payees = new Payees(NewAddress(ScriptPubKeyType.Segwit), NewAddress(ScriptPubKeyType.Segwit), NewAddress(ScriptPubKeyType.TaprootBIP86));
    }

    public TestWallet Client { get; }
    public TestWallet Freelancer { get; }
    public TestWallet Agency { get; }
    public EscrowKeySet Keys { get; }
    public MilestoneEscrow Escrow { get; }
    public Payees Payees { get; set; }
    public SandboxChain Chain { get; } = new(Net, height: 500);

    public TestWallet Wallet(EscrowRole role) => role switch
    {
        EscrowRole.Client => Client,
        EscrowRole.Freelancer => Freelancer,
        _ => Agency,
    };

    public static BitcoinAddress NewAddress(ScriptPubKeyType type) => new Key().PubKey.GetAddress(type, Net);

    /// <summary>Funds the escrow address on the sandbox chain (unconfirmed until mined) and returns the coin.</summary>
    public EscrowCoin Fund(long sats)
    {
        var tx = Chain.Fund(Escrow.Address, Money.Satoshis(sats));
        return new EscrowCoin(new OutPoint(tx, 0), Money.Satoshis(sats), tx);
    }

    /// <summary>Each holder signs its own copy of the issued PSBT; the copies are uploaded one after the other.</summary>
    public SigningRound SignBy(SigningRound round, params EscrowRole[] roles)
    {
        var copies = roles.Select(role => Wallet(role).Sign(round.IssuedPsbt)).ToList();
        foreach (var copy in copies)
            round = round.Accept(copy).Unwrap().Round;
        return round;
    }
}
