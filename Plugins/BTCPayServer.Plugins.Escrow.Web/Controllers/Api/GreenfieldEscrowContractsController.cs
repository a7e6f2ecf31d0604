using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers.Api;

/// <summary>
/// Contracts through the API: the same application services as the staff pages. Every contract is looked up within the
/// route's store, so another store's is a 404 (never a 403).
/// </summary>
[Route(GreenfieldApi.RoutePrefix + "/contracts")]
[Authorize(AuthenticationSchemes = GreenfieldApi.AuthenticationSchemes, Policy = EscrowPolicies.ManageContracts)]
[Tags("Escrow contracts")]
public sealed class GreenfieldEscrowContractsController(
    IContractStoreFactory stores, IContractQueries queries, ContractDrafting drafting, IStoreSettingsStore settings,
    IPublicAddress publicAddress, LinkGenerator linkGenerator, TimeProvider clock) : GreenfieldEscrowController(stores, clock)
{
    [HttpGet("")]
    [EndpointSummary("List contracts")]
    [EndpointDescription("The store's contracts, most recently changed first; filter by state or by text in the title or a party's name.")]
    [ProducesResponseType<ContractListData>(StatusCodes.Status200OK)]
    [ProducesResponseType<GreenfieldValidationError[]>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> List([FromRoute] string storeId, [FromQuery] string? state, [FromQuery] string? search,
        [FromQuery] int page = 1, [FromQuery] int pageSize = 25, CancellationToken cancellationToken = default)
    {
        ContractState? filter = null;
        if (state is not null)
            filter = Enum.TryParse<ContractState>(state, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(state[0])
                ? parsed : throw new InvalidInputException("state", $"Filter by one of {string.Join(", ", Enum.GetNames<ContractState>())}.");
        if (search is { Length: > 200 })
            throw new InvalidInputException("search", "Search for at most 200 characters.");
        if (page < 1)
            throw new InvalidInputException("page", "Pages are numbered from 1.");
        if (pageSize is < 1 or > ContractListQuery.MaxPageSize)
            throw new InvalidInputException("pageSize", $"A page holds 1 to {ContractListQuery.MaxPageSize} contracts.");
        var query = new ContractListQuery(storeId, filter, string.IsNullOrWhiteSpace(search) ? null : search.Trim(), page, pageSize);
        return new ApiResult(ContractListData.Of(await queries.ListContractsAsync(query, cancellationToken)));
    }

    [HttpPost("")]
    [EndpointSummary("Create a draft")]
    [EndpointDescription("A new draft contract. Fields left out take the store's escrow settings; `custody` left out is custodial (`NonCustodial`: BTC contracts only). Nothing is sent to the parties until it is sent for acceptance.")]
    [Consumes("application/json")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Create([FromRoute] string storeId, [JsonBody] ContractRequest request, CancellationToken cancellationToken)
    {
        var form = request.Over(SettingsFormModel.NewContract(await settings.GetAsync(storeId, cancellationToken)));
        var id = await drafting.CreateDraftAsync(storeId, form.ToTerms(), User.ToAgencyActor(), cancellationToken, form.Custody);
        return await ContractAsync(storeId, id, cancellationToken);
    }

    [HttpGet("{contractId:guid}")]
    [EndpointSummary("Get a contract")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public Task<IActionResult> Get([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken) =>
        ContractAsync(storeId, contractId, cancellationToken);

    [HttpPut("{contractId:guid}")]
    [EndpointSummary("Update a draft or proposed contract")]
    [EndpointDescription("Replaces the terms of a draft (or of a proposed contract: the parties must then accept the new version). Fields left out keep their value; `version` is required. `custody` changes only while a draft.")]
    [Consumes("application/json")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public Task<IActionResult> Update([FromRoute] string storeId, [FromRoute] Guid contractId, [JsonBody] ContractUpdateRequest request, CancellationToken cancellationToken) =>
        ChangeTermsAsync(storeId, contractId, request, [ContractState.Draft, ContractState.Proposed], "Only a draft or proposed contract is updated; amend an active one.", cancellationToken);

    [HttpPost("{contractId:guid}/amend")]
    [EndpointSummary("Offer an amendment")]
    [EndpointDescription("Offers new terms for an active contract; the old terms stay in force until both parties accept. `version` is required.")]
    [Consumes("application/json")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public Task<IActionResult> Amend([FromRoute] string storeId, [FromRoute] Guid contractId, [JsonBody] ContractUpdateRequest request, CancellationToken cancellationToken) =>
        ChangeTermsAsync(storeId, contractId, request, [ContractState.Active], "Only an active contract is amended; update a draft or proposed one.", cancellationToken);

    [HttpPost("{contractId:guid}/send")]
    [EndpointSummary("Send for acceptance")]
    [EndpointDescription("Offers the draft to both parties and issues their links the first time (each link's URL is in this answer only).")]
    [ProducesResponseType<ContractWithLinksData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Send([FromRoute] string storeId, [FromRoute] Guid contractId, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        var baseUrl = publicAddress.BaseUrl();
        var issued = await drafting.ProposeAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await WithLinksAsync(storeId, contractId, baseUrl, [(PartyRole.Client, issued.ClientToken), (PartyRole.Freelancer, issued.FreelancerToken)], cancellationToken);
    }

    [HttpPost("{contractId:guid}/withdraw")]
    [EndpointSummary("Withdraw a proposal")]
    [EndpointDescription("Takes a proposed contract back to draft; acceptances of earlier versions lapse.")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Withdraw([FromRoute] string storeId, [FromRoute] Guid contractId, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        await drafting.WithdrawAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }

    [HttpPost("{contractId:guid}/cancel")]
    [EndpointSummary("Cancel a contract")]
    [EndpointDescription("Ends the contract: unfunded milestones are cancelled and everything held is refunded to the client. Final; a reason is required and shown to both parties.")]
    [Consumes("application/json")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Cancel([FromRoute] string storeId, [FromRoute] Guid contractId, [JsonBody] CancelRequest request, CancellationToken cancellationToken)
    {
        await drafting.CancelAsync(storeId, contractId, request.Reason, User.ToAgencyActor(), cancellationToken, request.Version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }

    [HttpPost("{contractId:guid}/clone")]
    [EndpointSummary("Clone a contract")]
    [EndpointDescription("A new draft with the same terms and fresh milestones; due dates already past are dropped.")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Clone([FromRoute] string storeId, [FromRoute] Guid contractId, CancellationToken cancellationToken)
    {
        var id = await drafting.CloneAsync(storeId, contractId, User.ToAgencyActor(), cancellationToken);
        return await ContractAsync(storeId, id, cancellationToken);
    }

    [HttpPost("{contractId:guid}/links/{role}/rotate")]
    [EndpointSummary("Issue a new party link")]
    [EndpointDescription("Replaces every link of the party (Client or Freelancer) with one new link, whose URL is in this answer only.")]
    [ProducesResponseType<ContractWithLinksData>(StatusCodes.Status200OK)]
    public async Task<IActionResult> RotateLink([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string role, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        var party = Role(role);
        var baseUrl = publicAddress.BaseUrl();
        var token = await drafting.RotatePartyLinkAsync(storeId, contractId, party, User.ToAgencyActor(), cancellationToken, request?.Version);
        return await WithLinksAsync(storeId, contractId, baseUrl, [(party, token)], cancellationToken);
    }

    [HttpPost("{contractId:guid}/links/{role}/revoke")]
    [EndpointSummary("Revoke a party's links")]
    [EndpointDescription("Every link of the party stops working at once, emailed ones included. No money moves.")]
    [ProducesResponseType<ContractResource>(StatusCodes.Status200OK)]
    public async Task<IActionResult> RevokeLink([FromRoute] string storeId, [FromRoute] Guid contractId, [FromRoute] string role, [JsonBody] ContractActRequest? request, CancellationToken cancellationToken)
    {
        await drafting.RevokePartyLinkAsync(storeId, contractId, Role(role), User.ToAgencyActor(), cancellationToken, request?.Version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }

    private async Task<IActionResult> ChangeTermsAsync(string storeId, Guid contractId, ContractUpdateRequest request, ContractState[] states, string wrongState, CancellationToken cancellationToken)
    {
        if (request.Version is not { } version)
            throw new InvalidInputException("version", "Send the contract's current version (from the last read) with a change of terms.");
        var contract = await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        if (!states.Contains(contract.State))
            throw new InvalidTransitionException("contract.invalid-state", wrongState);
        var current = ContractFormModel.From(contract.CurrentTerms());
        current.Custody = contract.Custody;
        var form = request.Over(current);
        await drafting.ChangeTermsAsync(storeId, contractId, form.ToTerms(), form.Custody, User.ToAgencyActor(), cancellationToken, version);
        return await ContractAsync(storeId, contractId, cancellationToken);
    }

    private async Task<IActionResult> WithLinksAsync(string storeId, Guid contractId, string baseUrl, (PartyRole Role, string? Token)[] tokens, CancellationToken cancellationToken)
    {
        var contract = await FindAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var links = tokens.Where(t => t.Token is not null).Select(t => new IssuedLinkData(t.Role, linkGenerator.PartyPageUrl(baseUrl, t.Token!))).ToList();
        var answer = new ContractWithLinksData(ContractResource.Of(contract, Now), links);
        return new ApiResult(answer, replayable: answer.WithoutSecrets());
    }

    /// <summary>Exactly "Client" or "Freelancer": a number or another name never falls back to a default party.</summary>
    internal static PartyRole Role(string role) =>
        role is nameof(PartyRole.Client) or nameof(PartyRole.Freelancer) ? Enum.Parse<PartyRole>(role)
            : throw new InvalidInputException("role", "The party is Client or Freelancer.");
}
