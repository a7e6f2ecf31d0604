using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Party links as issued: the raw tokens exist only in this value, never in storage.</summary>
public sealed record IssuedLinks(Guid ContractId, string? ClientToken, string? FreelancerToken);

/// <summary>The agency writes contracts: drafts, offers, amends, clones, cancels, and manages the party links.</summary>
public sealed class ContractDrafting(IContractStoreFactory stores, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    public async Task<Guid> CreateDraftAsync(string storeId, ContractTerms terms, Actor agency, CancellationToken cancellationToken, CustodyMode custody = CustodyMode.Custodial)
    {
        var contract = Contract.CreateDraft(storeId, terms, agency, clock.GetUtcNow());
        contract.ChooseCustody(custody, agency, clock.GetUtcNow());
        await using var store = stores.Open();
        await store.AddAsync(contract, cancellationToken);
        return contract.Id;
    }

    /// <summary>A new draft with the same terms and fresh milestones; due dates already past are dropped.</summary>
    public async Task<Guid> CloneAsync(string storeId, Guid contractId, Actor agency, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var source = await store.FindInStoreAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var terms = source.CurrentTerms();
        var copy = ContractTerms.Create(
            $"{terms.Title} (copy)".Length <= ContractTerms.MaxTitleLength ? $"{terms.Title} (copy)" : terms.Title,
            terms.Scope, terms.Client, terms.Freelancer, terms.Currency, terms.Fee, terms.Fx, terms.Overpayment,
            terms.ReviewWindow, terms.DisputeResponseWindow,
            terms.Milestones.Select(m => m with { Id = Guid.NewGuid(), DueDate = m.DueDate >= today ? m.DueDate : null }).ToList());
        var clone = Contract.CreateDraft(storeId, copy, agency, now);
        await store.AddAsync(clone, cancellationToken);
        return clone.Id;
    }

    public Task ChangeTermsAsync(string storeId, Guid contractId, ContractTerms terms, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c => c.ChangeTerms(terms, agency, clock.GetUtcNow()), cancellationToken);

    /// <summary>
    /// The terms and the custody mode of the form together; the mode changes first when leaving non-custodial (a fiat
    /// currency needs the custodial mode) and last when entering it (it needs the BTC currency of the new terms).
    /// </summary>
    public Task ChangeTermsAsync(string storeId, Guid contractId, ContractTerms terms, CustodyMode custody, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c =>
        {
            if (custody == CustodyMode.Custodial)
                c.ChooseCustody(custody, agency, clock.GetUtcNow());
            c.ChangeTerms(terms, agency, clock.GetUtcNow());
            c.ChooseCustody(custody, agency, clock.GetUtcNow());
            return true;
        }, cancellationToken);

    /// <summary>Sends the draft to both parties and issues their links (the first time only; later, use rotate).</summary>
    public Task<IssuedLinks> ProposeAsync(string storeId, Guid contractId, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c =>
        {
            var now = clock.GetUtcNow();
            c.Propose(agency, now);
            string? Issue(PartyRole role) => c.PartyAccess.Any(a => a.Role == role) ? null : c.IssuePartyLink(role, agency, now);
            return new IssuedLinks(c.Id, Issue(PartyRole.Client), Issue(PartyRole.Freelancer));
        }, cancellationToken);

    public Task WithdrawAsync(string storeId, Guid contractId, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c => { c.Withdraw(agency, clock.GetUtcNow()); return true; }, cancellationToken);

    public Task CancelAsync(string storeId, Guid contractId, string? reason, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c => { c.Cancel(agency, reason, clock.GetUtcNow()); return true; }, cancellationToken);

    /// <summary>Replaces a party's links with one new link; every link they held stops working at once.</summary>
    public Task<string> RotatePartyLinkAsync(string storeId, Guid contractId, PartyRole role, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c => c.IssuePartyLink(role, agency, clock.GetUtcNow()), cancellationToken);

    public Task RevokePartyLinkAsync(string storeId, Guid contractId, PartyRole role, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(InStore(storeId, contractId, expectedRevision), c => { c.RevokePartyLink(role, agency, clock.GetUtcNow()); return true; }, cancellationToken);

    /// <summary>
    /// Loads the store's contract; with <paramref name="expectedRevision"/>, only as the caller last saw it: a contract
    /// saved since then is a conflict, so an API client acting on a stale copy is told to reload (the save itself still
    /// conflicts with a writer that comes in between).
    /// </summary>
    internal static Func<IContractStore, CancellationToken, Task<Contract?>> InStore(string storeId, Guid contractId, long? expectedRevision = null) =>
        async (store, ct) =>
        {
            var contract = await store.FindInStoreAsync(storeId, contractId, ct);
            if (contract is not null && expectedRevision is { } revision && contract.Revision != revision)
                throw new ConcurrencyConflictException(contract.Id);
            return contract;
        };
}
