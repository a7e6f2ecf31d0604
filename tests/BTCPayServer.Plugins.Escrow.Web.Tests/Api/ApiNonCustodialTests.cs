using System.Net;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>The host with API keys, a sandbox chain of its own (regtest) and its storage on PostgreSQL.</summary>
public sealed class NonCustodialApiApp : ApiApp
{
    private readonly PostgresTestDatabase _database = new();

    public SandboxChain Chain { get; } = new(Network.RegTest, height: 500);

    protected override string? PostgresConnection => _database.ConnectionStringOrNull;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IEscrowChain>(new SandboxEscrowChain(Chain));

    public override async Task InitializeAsync()
    {
        await _database.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }

    /// <summary>What the host's escrow worker does on its next round for the chain.</summary>
    public async Task WatchChainAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EscrowChainWatcher>().RunAsync(CancellationToken.None);
    }

    public Task<Core.Stores.StoreEscrowSettings> SettingsAsync() =>
        Services.GetRequiredService<IStoreSettingsStore>().GetAsync(StoreId, CancellationToken.None);
}

/// <summary>
/// The non-custodial mode through the API: the custody of a draft chosen and changed, a fiat currency refused with the
/// field named, the escrow of a contract that went through keys and refund read back (addresses, refund, unexpected
/// coins, spends) without any private key, and the agency's key, payout address and fee rate in the settings.
/// </summary>
public sealed class ApiNonCustodialTests(NonCustodialApiApp app) : IClassFixture<NonCustodialApiApp>
{
    private static readonly Network Net = Network.RegTest;
    private readonly TestWallet _client = new(301, Net), _freelancer = new(302, Net), _agency = new(303, Net);

    private static ContractRequest NonCustodialDraft(string title) => ApiContracts.Draft(title, "BTC", "0.01") with { Custody = CustodyMode.NonCustodial };

    private async Task SetAgencyKeyAsync(ApiClient api)
    {
        var saved = await api.PutAsync(ApiApp.Path("/settings"), new SettingsRequest(AgencyKey: _agency.Exported, AgencyPayoutAddress: _agency.Payout));
        Assert.True(saved.Status == HttpStatusCode.OK, saved.ToString());
    }

    [Fact]
    public async Task A_non_custodial_draft_is_created_and_read_back()
    {
        var api = app.Api(app.ManageKey);
        var created = await ApiContracts.CreateAsync(api, NonCustodialDraft("Multisig draft"));
        Assert.Equal("NonCustodial", (string?)created["custody"]);
        var escrow = created["nonCustodial"]!;
        Assert.Empty(escrow["keys"]!.AsArray());
        Assert.Empty(escrow["milestones"]!.AsArray());
        Assert.Empty(escrow["spends"]!.AsArray());

        var id = ApiContracts.IdOf(created);
        Assert.Equal(CustodyMode.NonCustodial, (await app.ContractAsync(id)).Custody);
        var read = (await api.GetAsync(ApiApp.Path($"/contracts/{id}"))).This;
        Assert.Equal(created.ToJsonString(), read.ToJsonString());

        // Left out: custodial, and no non-custodial part.
        var custodial = await ApiContracts.CreateAsync(api, ApiContracts.Draft("Plain draft", "BTC", "0.01"));
        Assert.Equal("Custodial", (string?)custodial["custody"]);
        Assert.Null(custodial["nonCustodial"]);
    }

    [Fact]
    public async Task The_custody_of_a_draft_changes_on_update_and_is_kept_when_left_out()
    {
        var api = app.Api(app.ManageKey);
        var draft = await ApiContracts.CreateAsync(api, ApiContracts.Draft("Changing custody", "BTC", "0.01"));
        var path = ApiApp.Path($"/contracts/{ApiContracts.IdOf(draft)}");

        var multisig = await api.PutAsync(path, new ContractUpdateRequest { Version = (long)draft["version"]!, Custody = CustodyMode.NonCustodial });
        Assert.True(multisig.Status == HttpStatusCode.OK, multisig.ToString());
        Assert.Equal("NonCustodial", (string?)multisig.This["custody"]);

        var retitled = await api.PutAsync(path, new ContractUpdateRequest { Version = (long)multisig.This["version"]!, Title = "Changing custody, retitled" });
        Assert.True(retitled.Status == HttpStatusCode.OK, retitled.ToString());
        Assert.Equal("NonCustodial", (string?)retitled.This["custody"]);

        // Back to custodial and to a fiat currency in one change: the mode changes first.
        var fiat = await api.PutAsync(path, new ContractUpdateRequest
        {
            Version = (long)retitled.This["version"]!, Custody = CustodyMode.Custodial, Currency = "USD", Fx = FxPolicy.FiatProtected,
            Fee = new FeeRequest("0", "0", FeePayer.Freelancer), Milestones = [new MilestoneRequest(null, "Milestone 1", "Work", "250.00", null, null)],
        });
        Assert.True(fiat.Status == HttpStatusCode.OK, fiat.ToString());
        Assert.Equal("Custodial", (string?)fiat.This["custody"]);
        Assert.Equal("USD", (string?)fiat.This["currency"]);
        Assert.Null(fiat.This["nonCustodial"]);
    }

    [Fact]
    public async Task A_fiat_contract_is_refused_non_custodial_naming_the_field_and_nothing_changes()
    {
        var api = app.Api(app.ManageKey);
        var before = await app.CountContractsAsync();
        var refused = await api.PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Fiat multisig", "USD") with { Custody = CustodyMode.NonCustodial });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("custody", (string?)refused.This[0]!["path"]);
        Assert.Contains("Non-custodial escrow is for contracts in BTC", (string?)refused.This[0]!["message"]);
        Assert.Equal(before, await app.CountContractsAsync());

        // A fiat draft asked to become non-custodial, and a non-custodial draft asked to become fiat: refused, unchanged.
        var fiat = await ApiContracts.CreateAsync(api, ApiContracts.Draft("Fiat draft", "USD"));
        var multisig = await ApiContracts.CreateAsync(api, NonCustodialDraft("Multisig draft to keep"));
        foreach (var (contract, change) in new[]
        {
            (fiat, new ContractUpdateRequest { Version = (long)fiat["version"]!, Custody = CustodyMode.NonCustodial }),
            (multisig, new ContractUpdateRequest { Version = (long)multisig["version"]!, Currency = "EUR", Fx = FxPolicy.FiatProtected }),
        })
        {
            var id = ApiContracts.IdOf(contract);
            var snapshot = await app.SnapshotAsync(id);
            var answer = await api.PutAsync(ApiApp.Path($"/contracts/{id}"), change);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
            Assert.Equal("custody", (string?)answer.This[0]!["path"]);
            Assert.Contains("BTC", (string?)answer.This[0]!["message"]);
            Assert.Equal(snapshot, await app.SnapshotAsync(id));
            Assert.Equal(contract.ToJsonString(), (await api.GetAsync(ApiApp.Path($"/contracts/{id}"))).This.ToJsonString());
        }
    }

    [Fact]
    public async Task A_contract_through_keys_and_refund_shows_its_escrow_refund_and_spends_and_no_private_key()
    {
        var api = app.Api(app.ManageKey);
        await SetAgencyKeyAsync(api);
        var id = ApiContracts.IdOf(await ApiContracts.CreateAsync(api, NonCustodialDraft("Multisig through the API")));
        var sent = await api.PostAsync(ApiApp.Path($"/contracts/{id}/send"));
        Assert.True(sent.Status == HttpStatusCode.OK, sent.ToString());
        string TokenOf(string role) => Urls.TokenOf((string)sent.This["links"]!.AsArray().Single(l => (string)l!["role"]! == role)!["url"]!);
        var (clientToken, freelancerToken) = (TokenOf("Client"), TokenOf("Freelancer"));

        // Keys and acceptance, as the party pages do them; the worker makes the escrow address.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var escrows = scope.ServiceProvider.GetRequiredService<NonCustodialEscrows>();
            var parties = scope.ServiceProvider.GetRequiredService<PartyActions>();
            await escrows.SubmitKeyAsync(clientToken, _client.Exported, _client.Payout, CancellationToken.None);
            await escrows.SubmitKeyAsync(freelancerToken, _freelancer.Exported, _freelancer.Payout, CancellationToken.None);
            var hash = (await app.ContractAsync(id)).LatestTermsVersion!.Hash;
            await parties.AcceptTermsAsync(clientToken, hash, CancellationToken.None);
            await parties.AcceptTermsAsync(freelancerToken, hash, CancellationToken.None);
        }
        await app.WatchChainAsync();
        var record = Assert.Single((await app.ContractAsync(id)).NonCustodial.Milestones);
        var milestoneId = record.MilestoneId;

        // The client prepares the funding; freelancer and agency sign the refund against it.
        var hot = new Key();
        var source = app.Chain.Fund(hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), NBitcoin.Money.Satoshis(1_100_000));
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(new OutPoint(source, 0)) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(1_000_000), BitcoinAddress.Create(record.Address, Net)));
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(99_000), hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        var funding = PSBT.FromTransaction(tx, Net).AddCoins(new Coin(source, 0));
        var agency = Actor.Agency("api-test");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var escrows = scope.ServiceProvider.GetRequiredService<NonCustodialEscrows>();
            await escrows.ProposeFundingAsync(clientToken, milestoneId, funding.ToBase64(), CancellationToken.None);
            var refundPsbt = (await app.ContractAsync(id)).NonCustodial.EscrowOf(milestoneId)!.Refund!.Psbt;
            await escrows.SignRefundAsync(freelancerToken, milestoneId, _freelancer.Sign(refundPsbt), CancellationToken.None);
            await escrows.SignRefundAsync(EscrowApp.StoreId, id, milestoneId, agency, _agency.Sign(refundPsbt), CancellationToken.None);
        }

        // A payment from another transaction: it does not count, and staff return it (the client signs first).
        var stray = app.Chain.Fund(BitcoinAddress.Create(record.Address, Net), NBitcoin.Money.Satoshis(250_000));
        app.Chain.Mine();
        await app.WatchChainAsync();
        EscrowSpendRecord spend;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var escrows = scope.ServiceProvider.GetRequiredService<NonCustodialEscrows>();
            spend = await escrows.ReturnUnexpectedAsync(EscrowApp.StoreId, id, milestoneId, agency, CancellationToken.None);
            await escrows.SignSpendAsync(clientToken, spend.Id, _client.Sign(spend.Round.Psbt), CancellationToken.None);
        }

        var answer = await api.GetAsync(ApiApp.Path($"/contracts/{id}"));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var stored = (await app.ContractAsync(id)).NonCustodial;
        var escrow = answer.This["nonCustodial"]!;
        Assert.Equal("NonCustodial", (string?)answer.This["custody"]);

        var keys = escrow["keys"]!.AsArray();
        Assert.Equal(["Client", "Freelancer", "Agency"], keys.Select(k => (string)k!["role"]!));
        foreach (var (key, wallet) in keys.Zip(new[] { _client, _freelancer, _agency }))
        {
            Assert.Equal(wallet.Exported, (string?)key!["key"]);
            Assert.Equal(wallet.Payout, (string?)key["payoutAddress"]);
            Assert.StartsWith((string)key["fingerprint"]!, wallet.Exported[1..]);
        }

        var milestone = Assert.Single(escrow["milestones"]!.AsArray())!;
        Assert.Equal(milestoneId, Guid.Parse((string)milestone["milestoneId"]!));
        Assert.Equal(record.Address, (string?)milestone["address"]);
        Assert.Matches(@"^wsh\(sortedmulti\(2,.*\)\)#[a-z0-9]{8}$", (string)milestone["descriptor"]!);
        Assert.Equal(record.WalletDescriptor, (string?)milestone["walletDescriptor"]);
        Assert.Equal(1_000_000, (long)milestone["amountSats"]!);
        Assert.Equal("0.01000000", (string?)milestone["amount"]);
        Assert.Equal(new OutPoint(tx, 0).ToString(), (string?)milestone["fundingOutPoint"]);
        Assert.Equal(1_000_000, (long)milestone["fundingSats"]!);
        Assert.True((long)milestone["refundHeight"]! > 500);
        Assert.True((bool)milestone["refundReady"]!);
        Assert.Equal(["Freelancer", "Agency"], milestone["refund"]!["signedBy"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("nobody: both signatures are in", (string?)milestone["refund"]!["stillNeeded"]);
        var coin = Assert.Single(milestone["unexpectedCoins"]!.AsArray())!;
        Assert.Equal(new OutPoint(stray, 0).ToString(), (string?)coin["outPoint"]);
        Assert.Equal(250_000, (long)coin["sats"]!);
        Assert.Equal("0.00250000", (string?)coin["amount"]);
        Assert.Equal(spend.Id, Guid.Parse((string)coin["returnSpendId"]!));
        Assert.True((bool)coin["returning"]!);
        Assert.False((bool)coin["returned"]!);

        var spent = Assert.Single(escrow["spends"]!.AsArray())!;
        Assert.Equal(spend.Id, Guid.Parse((string)spent["id"]!));
        Assert.Equal(milestoneId, Guid.Parse((string)spent["milestoneId"]!));
        Assert.Equal("ClientRefund", (string?)spent["kind"]);
        Assert.Equal("Collecting", (string?)spent["status"]);
        Assert.Equal(["Client"], spent["signedBy"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("the agency", (string?)spent["stillNeeded"]);
        Assert.Equal(spend.Round.UnsignedTxId, (string?)spent["unsignedTxId"]);
        Assert.Null(spent["txId"]);
        // The PSBT to sign carries the client's signature already.
        Assert.Equal(stored.Spends[0].Round.Psbt, (string?)spent["psbt"]);
        Assert.Single(PSBT.Parse((string)spent["psbt"]!, Net).Inputs[0].PartialSigs);
        Assert.True((long)spent["openedTime"]! > 0);

        // No private key anywhere: none of the wallets' secrets, and nothing the detector takes for one in any text
        // (a PSBT, base64, holds no private key by its format and is checked as a PSBT above).
        foreach (var secret in new[] { _client, _freelancer, _agency }.SelectMany(w => w.Secrets).Append(hot.GetWif(Net).ToString()))
            Assert.DoesNotContain(secret, answer.Body);
        var texts = Strings(answer.This).Where(t => t.Name != "psbt").ToList();
        Assert.NotEmpty(texts);
        Assert.All(texts, t => Assert.False(PrivateKeyDetector.ContainsPrivateKey(t.Value), $"{t.Name}: {t.Value}"));
    }

    [Fact]
    public async Task The_non_custodial_settings_round_trip_and_a_private_key_is_refused_without_being_repeated()
    {
        var api = app.Api(app.ManageKey);
        var saved = await api.PutAsync(ApiApp.Path("/settings"),
            new SettingsRequest(AgencyKey: "  " + _agency.Exported + "\n", AgencyPayoutAddress: _agency.Payout, NetworkFeeRate: "12.5"));
        Assert.True(saved.Status == HttpStatusCode.OK, saved.ToString());
        Assert.Equal(_agency.Exported, (string?)saved.This["agencyKey"]);
        Assert.Equal(_agency.Payout, (string?)saved.This["agencyPayoutAddress"]);
        Assert.Equal("12.5", (string?)saved.This["networkFeeRate"]);
        var read = await api.GetAsync(ApiApp.Path("/settings"));
        Assert.Equal(saved.This.ToJsonString(), read.This.ToJsonString());
        var stored = await app.SettingsAsync();
        Assert.Equal((_agency.Exported, _agency.Payout, 12.5m), (stored.AgencyKey, stored.AgencyPayoutAddress, stored.NetworkFeeRate));

        // A private key, as the agency key or as its payout address: refused, named, never repeated, nothing stored.
        var xprv = _agency.Account.GetWif(Net).ToString();
        var wif = new Key().GetWif(Net).ToString();
        foreach (var (request, field, secret) in new[]
        {
            (new SettingsRequest(AgencyKey: xprv), "agencyKey", xprv),
            (new SettingsRequest(AgencyKey: $"[{_agency.Exported[1..9]}/48h/1h/0h/2h]{xprv}"), "agencyKey", xprv),
            (new SettingsRequest(AgencyPayoutAddress: wif), "agencyPayoutAddress", wif),
        })
        {
            var refused = await api.PutAsync(ApiApp.Path("/settings"), request);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            Assert.Equal(field, (string?)refused.This[0]!["path"]);
            Assert.Contains("private key", (string?)refused.This[0]!["message"], StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, refused.Body);
            Assert.DoesNotContain(secret[..20], refused.Body);
            Assert.Equal(read.Body, (await api.GetAsync(ApiApp.Path("/settings"))).Body);
        }

        // Keys that are not one, an address of another network, fee rates out of bounds: refused with the reason.
        var mainnet = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Network.Main).ToString();
        foreach (var (request, field, words) in new[]
        {
            (new SettingsRequest(AgencyKey: "[d34db33f/48h]tpubBroken"), "agencyKey", "extended public key"),
            (new SettingsRequest(AgencyKey: _client.Account.Neuter().GetWif(Net).ToString()), "agencyKey", "origin"),
            (new SettingsRequest(AgencyPayoutAddress: mainnet), "agencyPayoutAddress", "not a bitcoin address"),
            (new SettingsRequest(AgencyPayoutAddress: ""), "agencyPayoutAddress", "payout address"),
            (new SettingsRequest(NetworkFeeRate: "0"), "networkFeeRate", "fee rate"),
            (new SettingsRequest(NetworkFeeRate: "0.5"), "networkFeeRate", "fee rate"),
            (new SettingsRequest(NetworkFeeRate: "1001"), "networkFeeRate", "fee rate"),
            (new SettingsRequest(NetworkFeeRate: "1.25"), "networkFeeRate", "fee rate"),
            (new SettingsRequest(NetworkFeeRate: "-3"), "networkFeeRate", "fee rate"),
            (new SettingsRequest(NetworkFeeRate: "abc"), "networkFeeRate", "fee rate"),
        })
        {
            var refused = await api.PutAsync(ApiApp.Path("/settings"), request);
            Assert.True(refused.Status == HttpStatusCode.UnprocessableEntity, $"{field}: {refused}");
            Assert.Equal(field, (string?)refused.This[0]!["path"]);
            Assert.Contains(words, (string?)refused.This[0]!["message"], StringComparison.OrdinalIgnoreCase);
            Assert.Equal(read.Body, (await api.GetAsync(ApiApp.Path("/settings"))).Body);
        }

        // Emptied: the node's estimate, and no agency key (key and address together).
        var cleared = await api.PutAsync(ApiApp.Path("/settings"), new SettingsRequest(AgencyKey: "", AgencyPayoutAddress: "", NetworkFeeRate: ""));
        Assert.True(cleared.Status == HttpStatusCode.OK, cleared.ToString());
        Assert.Null(cleared.This["agencyKey"]);
        Assert.Null(cleared.This["agencyPayoutAddress"]);
        Assert.Null(cleared.This["networkFeeRate"]);
        stored = await app.SettingsAsync();
        Assert.Equal((null, null, null), (stored.AgencyKey, stored.AgencyPayoutAddress, stored.NetworkFeeRate));
        await SetAgencyKeyAsync(api);
    }

    private static IEnumerable<(string Name, string Value)> Strings(JsonNode? node, string name = "") => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value, p.Key)),
        JsonArray a => a.SelectMany(item => Strings(item, name)),
        JsonValue v when v.TryGetValue<string>(out var text) => [(name, text)],
        _ => [],
    };
}
