using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// Acts of the client and the freelancer, reached only through their capability link. A wrong, rotated, revoked or expired
/// token is "not found", so a guess learns nothing; a party acting out of role gets a clear refusal.
/// </summary>
public sealed class PartyActions(IContractStoreFactory stores, IPaymentGateway gateway, IStoreSettingsStore settings, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    /// <summary>The contract and the caller's role, for pages to read.</summary>
    public async Task<(Contract Contract, PartyRole Role)> OpenAsync(string token, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await Load(token)(store, cancellationToken) ?? throw new ContractNotFoundException();
        return (contract, RoleOf(contract, token));
    }

    public Task AcceptTermsAsync(string token, string termsHash, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.AcceptTerms(role, termsHash, clock.GetUtcNow()), cancellationToken);

    public Task SubmitDeliverableAsync(string token, Guid milestoneId, string? message, IReadOnlyList<string>? links, IReadOnlyList<string>? fileHashes, CancellationToken cancellationToken) =>
        Act(token, PartyRole.Freelancer, (c, _) => c.SubmitDeliverable(milestoneId, message, links, fileHashes, clock.GetUtcNow()), cancellationToken);

    public Task RequestChangesAsync(string token, Guid milestoneId, string? message, CancellationToken cancellationToken) =>
        Act(token, PartyRole.Client, (c, _) => c.RequestChanges(milestoneId, message, clock.GetUtcNow()), cancellationToken);

    public Task ApproveAsync(string token, Guid milestoneId, CancellationToken cancellationToken) =>
        Act(token, PartyRole.Client, (c, _) => c.Approve(milestoneId, clock.GetUtcNow()), cancellationToken);

    public Task CancelMissedMilestoneAsync(string token, Guid milestoneId, CancellationToken cancellationToken) =>
        Act(token, PartyRole.Client, (c, _) => c.CancelMissedMilestone(milestoneId, clock.GetUtcNow()), cancellationToken);

    public Task OpenDisputeAsync(string token, Guid milestoneId, string? reason, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.OpenDispute(milestoneId, role, reason, clock.GetUtcNow()), cancellationToken);

    public Task PostDisputeMessageAsync(string token, Guid milestoneId, string? text, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.PostDisputeMessage(milestoneId, Audit.Actor.Party(role), text, clock.GetUtcNow()), cancellationToken);

    public Task ProposeSplitAsync(string token, Guid milestoneId, decimal freelancerAmount, string? note, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.ProposeSplit(milestoneId, role, freelancerAmount, note, clock.GetUtcNow()), cancellationToken);

    public Task AnswerSplitAsync(string token, Guid milestoneId, Guid proposalId, bool accept, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.AnswerSplit(milestoneId, proposalId, role, accept, clock.GetUtcNow()), cancellationToken);

    public Task EscalateDisputeAsync(string token, Guid milestoneId, CancellationToken cancellationToken) =>
        Act(token, null, (c, role) => c.EscalateDispute(milestoneId, Audit.Actor.Party(role), clock.GetUtcNow()), cancellationToken);

    /// <summary>
    /// The client pays for one or more milestones: reuses an open invoice for the same milestones, or asks the gateway
    /// for a new one. <paramref name="returnUrlOf"/> gives the address checkout sends the browser back to, from the
    /// contract's id: it goes to the gateway, so it must not carry the token.
    /// </summary>
    public async Task<FundingCheckout> FundAsync(string token, IReadOnlyCollection<Guid> milestoneIds, Func<Guid, string> returnUrlOf, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await Load(token)(store, cancellationToken) ?? throw new ContractNotFoundException();
        EnsureRole(RoleOf(contract, token), PartyRole.Client);
        if (contract.IsNonCustodial)
            throw new InvalidTransitionException("escrow.fund-on-chain",
                "This contract is non-custodial: each milestone is paid to its own escrow address, shown on this page once its refund is signed.");
        // Paying into an escrow that can pay nothing out would only strand the client's money (no chain read here:
        // only a contract already found broken is refused).
        if (contract.AuditProblem is { } problem)
            throw new AuditLogBrokenException(problem);
        var request = contract.RequestFunding(milestoneIds);
        if (contract.OpenInvoiceFor(request.MilestoneIds) is { } open && open.Amount == request.Amount)
            return new FundingCheckout(contract.Id, PartyRole.Client, open.CheckoutLink);
        var methods = (await settings.GetAsync(contract.StoreId, cancellationToken)).PaymentMethods;
        var created = await gateway.CreateFundingInvoiceAsync(new FundingInvoiceRequest(
            contract.StoreId, contract.Id, request.MilestoneIds, request.Amount, request.Description, returnUrlOf(contract.Id), contract.Client.Email, methods), cancellationToken);
        CrashPoints.Reach(CrashPoints.FundingAfterGatewayBeforeSave);
        contract.RegisterFundingInvoice(request, created.InvoiceId, created.CheckoutLink, clock.GetUtcNow());
        await _work.SaveAndNotifyAsync(store, contract, cancellationToken);
        return new FundingCheckout(contract.Id, PartyRole.Client, created.CheckoutLink);
    }

    private Task Act(string token, PartyRole? requiredRole, Action<Contract, PartyRole> act, CancellationToken cancellationToken) =>
        _work.ActAsync(Load(token), c =>
        {
            var role = RoleOf(c, token);
            if (requiredRole is { } required)
                EnsureRole(role, required);
            act(c, role);
            return true;
        }, cancellationToken);

    private static void EnsureRole(PartyRole role, PartyRole required)
    {
        if (role != required)
            throw new EscrowException("party.wrong-role", $"Only the {required.ToString().ToLowerInvariant()} can do this.");
    }

    // A link that expired between loading and acting is as unknown as any other.
    private PartyRole RoleOf(Contract contract, string token) =>
        contract.Authorize(token, clock.GetUtcNow()) ?? throw new ContractNotFoundException();

    private Func<IContractStore, CancellationToken, Task<Contract?>> Load(string token) => async (store, ct) =>
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
            return null;
        var contract = await store.FindByPartyTokenHashAsync(CapabilityToken.HashOf(token), ct);
        return contract?.Authorize(token, clock.GetUtcNow()) is null ? null : contract;
    };
}

/// <summary>Where the paying party goes next (the gateway's checkout), and who that party is.</summary>
public sealed record FundingCheckout(Guid ContractId, PartyRole Role, string CheckoutLink);
