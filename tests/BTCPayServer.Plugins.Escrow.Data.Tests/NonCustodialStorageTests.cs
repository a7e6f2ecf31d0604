using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The non-custodial state (mode, keys, escrows, signing rounds) is stored with the contract, in the same save.</summary>
public abstract class NonCustodialStorageTests(StoreDatabase database)
{
    private static readonly Network Net = Network.RegTest;

    private static (string Text, ExtKey Account) Wallet(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        var master = new ExtKey(Convert.ToHexString(bytes));
        var account = master.Derive(new KeyPath("48'/1'/0'/2'"));
        return ($"[{master.GetPublicKey().GetHDFingerPrint()}/48h/1h/0h/2h]{account.Neuter().GetWif(Net)}", account);
    }

    private static PartyKey Key(int seed, EscrowRole role) => PartyKeyParser.Parse(Wallet(seed).Text, role, Net).Unwrap();

    private static string NewAddress() => new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net).ToString();

    /// <summary>An active BTC contract in non-custodial mode with keys, milestone 1's escrow and its refund waiting for signatures.</summary>
    private static Contract NonCustodialContract(TimeProvider clock)
    {
        var contract = Build.Draft(clock, terms: Build.Terms(currency: "BTC", amount: i => 0.01m * i));
        contract.ChooseCustody(CustodyMode.NonCustodial, Build.Agency, clock.GetUtcNow());
        var version = contract.Propose(Build.Agency, clock.GetUtcNow());
        contract.RecordEscrowKey(PartyRole.Client, Key(1, EscrowRole.Client), NewAddress(), clock.GetUtcNow());
        contract.RecordEscrowKey(PartyRole.Freelancer, Key(2, EscrowRole.Freelancer), NewAddress(), clock.GetUtcNow());
        contract.AcceptTerms(PartyRole.Client, version.Hash, clock.GetUtcNow());
        contract.AcceptTerms(PartyRole.Freelancer, version.Hash, clock.GetUtcNow());

        var agency = Key(3, EscrowRole.Agency);
        var keys = EscrowKeySet.Create(Key(1, EscrowRole.Client), Key(2, EscrowRole.Freelancer), agency, Net).Unwrap();
        var milestone = contract.Milestones[0];
        var escrow = new MilestoneEscrow(keys, 41);
        var sats = (long)(milestone.Required.Amount * 100_000_000m);
        contract.RecordMilestoneEscrow(new StoredEscrowKey(EscrowRole.Agency, agency.Text, agency.Fingerprint.ToString(), NewAddress(), clock.GetUtcNow()),
            new MilestoneEscrowRecord(milestone.Id, escrow.Index, escrow.Address.ToString(), escrow.Descriptor, escrow.WalletDescriptor, sats), clock.GetUtcNow());
        var coin = new EscrowCoin(new OutPoint(RandomUtils.GetUInt256(), 1), NBitcoin.Money.Satoshis(sats));
        var refund = EscrowSpends.PresignedRefund(escrow, [coin], BitcoinAddress.Create(contract.NonCustodial.KeyOf(EscrowRole.Client)!.PayoutAddress, Net), 900, 2m).Unwrap();
        contract.PrepareRefund(milestone.Id, coin.OutPoint.ToString(), sats, 900, refund, clock.GetUtcNow());
        return contract;
    }

    [Fact]
    public async Task A_non_custodial_contract_reloads_with_its_mode_keys_escrow_and_refund_round()
    {
        var clock = Build.Clock();
        var contract = NonCustodialContract(clock);

        await database.AddAsync(contract);
        var reloaded = await database.LoadAsync(contract.Id);

        Assert.Equal(Snapshot.Of(contract), Snapshot.Of(reloaded));
        Assert.Equal(CustodyMode.NonCustodial, reloaded.Custody);
        Assert.Equal(3, reloaded.NonCustodial.Keys.Count);
        var escrow = Assert.Single(reloaded.NonCustodial.Milestones);
        Assert.Equal(41u, escrow.Index);
        Assert.Equal(SpendKind.PresignedRefund, escrow.Refund!.Kind);
        Assert.Equal(escrow.Refund.IssuedPsbt, contract.NonCustodial.Milestones[0].Refund!.IssuedPsbt);
        // Nothing private is stored: only extended public keys and addresses.
        await using var db = database.NewContext();
        var sql = "SELECT \"NonCustodial\" AS \"Value\" FROM " + database.Table("Contracts") + " WHERE \"Id\" = {0}";
        var json = await db.Database.SqlQueryRaw<string>(sql, contract.Id).SingleAsync();
        Assert.DoesNotContain("prv", json);
        Assert.False(PrivateKeyDetector.ContainsPrivateKey(json));
    }

    [Fact]
    public async Task A_change_to_the_non_custodial_state_alone_is_written_in_the_contracts_save()
    {
        var clock = Build.Clock();
        var contract = NonCustodialContract(clock);
        await database.AddAsync(contract);
        var milestoneId = contract.Milestones[0].Id;
        var issued = contract.NonCustodial.EscrowOf(milestoneId)!.Refund!;
        var signed = issued with { SignedBy = [EscrowRole.Freelancer] };

        var saved = await database.ActAsync(contract.Id, c => c.RecordRefundSignatures(milestoneId, Core.Audit.Actor.Freelancer, [EscrowRole.Freelancer], signed, null, clock.GetUtcNow()));
        var reloaded = await database.LoadAsync(contract.Id);

        Assert.Equal([EscrowRole.Freelancer], reloaded.NonCustodial.EscrowOf(milestoneId)!.Refund!.SignedBy);
        Assert.Equal(Snapshot.Of(saved), Snapshot.Of(reloaded));
        Assert.Equal(saved.AuditHeadHash, reloaded.AuditHeadHash);
    }

    [Fact]
    public async Task A_custodial_contract_stays_custodial_with_an_empty_state()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);

        var reloaded = await database.LoadAsync(contract.Id);

        Assert.Equal(CustodyMode.Custodial, reloaded.Custody);
        Assert.Empty(reloaded.NonCustodial.Keys);
        Assert.Empty(reloaded.NonCustodial.Milestones);
    }

    [Fact]
    public async Task Escrow_indexes_are_never_handed_out_twice_in_a_store_even_to_concurrent_callers()
    {
        var storeId = Build.Unique("store");
        var counter = new EfEscrowIndexCounter(database.NewContext);

        var firsts = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => counter.ReserveAsync(storeId, 1 + i % 3, CancellationToken.None)));
        var other = await counter.ReserveAsync(Build.Unique("other-store"), 1, CancellationToken.None);

        var taken = firsts.Select((first, i) => Enumerable.Range((int)first, 1 + i % 3)).SelectMany(x => x).ToList();
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, taken.Count), taken.Order());
        Assert.Equal(0u, other);
    }

    [Fact]
    public async Task A_new_counting_scope_continues_where_the_older_one_stopped_and_then_counts_on_its_own()
    {
        var storeId = Build.Unique("store");
        var agencyScope = Build.Unique("agency-key");
        var counter = new EfEscrowIndexCounter(database.NewContext);
        Assert.Equal(0u, await counter.ReserveAsync(storeId, 5, CancellationToken.None));

        Assert.Equal(5u, await counter.ReserveAsync(agencyScope, 2, CancellationToken.None, continueFrom: storeId));
        Assert.Equal(7u, await counter.ReserveAsync(agencyScope, 1, CancellationToken.None, continueFrom: storeId));
        Assert.Equal(0u, await counter.ReserveAsync(Build.Unique("agency-key"), 1, CancellationToken.None, continueFrom: Build.Unique("no-such-store")));
    }

    [Fact]
    public async Task The_agency_key_is_stored_in_its_canonical_form_and_a_private_key_is_refused_and_never_stored()
    {
        var storeId = Build.Unique("store");
        var store = new EfStoreSettingsStore(database.NewContext, Build.Clock());
        var (text, account) = Wallet(9);
        var payout = NewAddress();

        await store.SaveAsync(storeId, new StoreEscrowSettings { AgencyKey = "  " + text.Replace("h/", "'/").Replace("h]", "']") + "/0/*\n", AgencyPayoutAddress = payout }.Validated(Net), CancellationToken.None);
        var stored = await store.GetAsync(storeId, CancellationToken.None);
        Assert.Equal(text, stored.AgencyKey);
        Assert.Equal(payout, stored.AgencyPayoutAddress);

        var xprv = account.GetWif(Net).ToString();
        var error = Assert.Throws<InvalidInputException>(() => new StoreEscrowSettings { AgencyKey = xprv, AgencyPayoutAddress = payout }.Validated(Net));
        var direct = await Assert.ThrowsAsync<InvalidInputException>(() => store.SaveAsync(storeId, new StoreEscrowSettings { AgencyKey = xprv }, CancellationToken.None));

        Assert.Equal("agencyKey", error.Field);
        Assert.Equal("agencyKey", direct.Field);
        Assert.DoesNotContain(xprv, error.Message + direct.Message);
        Assert.Equal(text, (await store.GetAsync(storeId, CancellationToken.None)).AgencyKey);
        await using var db = database.NewContext();
        Assert.DoesNotContain(await db.StoreSettings.AsNoTracking().Select(r => r.Json).ToListAsync(), j => j.Contains(xprv, StringComparison.Ordinal));
    }
}
