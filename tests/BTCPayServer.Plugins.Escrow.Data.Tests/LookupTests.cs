using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The ways a contract is found: by store, by gateway id, and by a party's link.</summary>
public abstract class LookupTests(StoreDatabase database)
{
    [Fact]
    public async Task A_contract_is_found_in_its_own_store_and_not_in_another()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock, storeId: "store-a");
        await database.AddAsync(contract);

        await using var store = database.NewStore();
        Assert.NotNull(await store.FindInStoreAsync("store-a", contract.Id, CancellationToken.None));
        Assert.Null(await store.FindInStoreAsync("store-b", contract.Id, CancellationToken.None));
        Assert.Null(await store.FindInStoreAsync("store-a", Guid.NewGuid(), CancellationToken.None));
        Assert.Null(await store.FindAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task A_party_link_finds_its_contract_only_while_it_is_live()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        var (clientToken, freelancerToken) = Build.Activate(contract, clock);
        await database.AddAsync(contract);

        Assert.Equal(contract.Id, (await FindByTokenAsync(clientToken))?.Id);
        Assert.Equal(contract.Id, (await FindByTokenAsync(freelancerToken))?.Id);

        await database.ActAsync(contract.Id, c => c.RevokePartyLink(PartyRole.Client, Build.Agency, clock.GetUtcNow()));
        string rotated = "";
        await database.ActAsync(contract.Id, c => rotated = c.IssuePartyLink(PartyRole.Freelancer, Build.Agency, clock.GetUtcNow()));

        Assert.Null(await FindByTokenAsync(clientToken));
        Assert.Null(await FindByTokenAsync(freelancerToken));
        var found = await FindByTokenAsync(rotated);
        Assert.Equal(PartyRole.Freelancer, found?.Authorize(rotated, clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_party_holds_several_links_each_with_its_expiry_and_revoking_ends_them_all()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        var (clientToken, _) = Build.Activate(contract, clock);
        await database.AddAsync(contract);
        string emailed = "";
        await database.ActAsync(contract.Id, c => emailed = c.IssueEmailLink(PartyRole.Client, Build.Agency, clock.GetUtcNow()));

        var loaded = await database.LoadAsync(contract.Id);
        var now = clock.GetUtcNow();
        var live = loaded.ActiveLinks(PartyRole.Client, now);
        Assert.Equal(2, live.Count);
        Assert.Equal([null, now + Contract.EmailLinkLifetime], live.Select(a => a.ExpiresAt));
        Assert.Equal(contract.Id, (await FindByTokenAsync(emailed))?.Id);
        Assert.Null((await FindByTokenAsync(emailed))?.Authorize(emailed, now + Contract.EmailLinkLifetime));

        await database.ActAsync(contract.Id, c => c.RevokePartyLink(PartyRole.Client, Build.Agency, clock.GetUtcNow()));

        Assert.Null(await FindByTokenAsync(clientToken));
        Assert.Null(await FindByTokenAsync(emailed));

        // Issuing again drops the dead rows from storage, on both providers.
        await database.ActAsync(contract.Id, c => c.IssuePartyLink(PartyRole.Client, Build.Agency, clock.GetUtcNow()));
        Assert.Single((await database.LoadAsync(contract.Id)).PartyAccess, a => a.Role == PartyRole.Client);
    }

    [Fact]
    public async Task Gateway_ids_lead_back_to_their_contract()
    {
        var clock = Build.Clock();
        var lifecycle = new Lifecycle(clock);
        var contract = Build.Draft(clock);
        lifecycle.RunAll(contract);
        await database.AddAsync(contract);

        await using var store = database.NewStore();
        Assert.Equal(contract.Id, (await store.FindByInvoiceAsync(lifecycle.InvoiceId, CancellationToken.None))?.Id);
        Assert.Equal(contract.Id, (await store.FindByPullPaymentAsync(lifecycle.PullPaymentId, CancellationToken.None))?.Id);
        Assert.Null(await store.FindByInvoiceAsync(Build.Unique("inv"), CancellationToken.None));
        Assert.Null(await store.FindByPullPaymentAsync(Build.Unique("pp"), CancellationToken.None));
    }

    private async Task<Contract?> FindByTokenAsync(string token)
    {
        await using var store = database.NewStore();
        return await store.FindByPartyTokenHashAsync(CapabilityToken.HashOf(token), CancellationToken.None);
    }
}
