using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>A contract of another store on the same host, made through the application services (this host's login
/// only knows one store): active, funded and in dispute with an open proposal of the freelancer's, so every staff and
/// party route has something real to refuse. Its party links are known, as an attacker holding them would know them.</summary>
public sealed record OtherStoreContract(
    Guid Id, Guid MilestoneId, string Title, string ClientName, string FreelancerName, string ClientToken, string FreelancerToken, Guid ProposalId)
{
    public const string ClientEmail = "carol@other.test";
    public const string DisputeReason = "Other store's dispute";

    public static Task<OtherStoreContract> CreateAsync(EscrowApp app, string storeId = EscrowApp.OtherStoreId) =>
        CreateAsync(app, storeId, "Confidential other-store deal", "Carol Otherclient", "Dave Otherfreelancer", ClientEmail, DisputeReason);

    /// <summary>The same kind of contract in any store, with its own title, names and dispute reason.</summary>
    public static async Task<OtherStoreContract> CreateAsync(EscrowApp app, string storeId, string title, string clientName, string freelancerName, string clientEmail, string disputeReason)
    {
        var ct = CancellationToken.None;
        await using var scope = app.Services.CreateAsyncScope();
        var drafting = scope.ServiceProvider.GetRequiredService<ContractDrafting>();
        var parties = scope.ServiceProvider.GetRequiredService<PartyActions>();
        var cashier = scope.ServiceProvider.GetRequiredService<SandboxCashier>();
        var form = new ContractFormModel
        {
            Title = title,
            Scope = "Nobody at another store may see this.",
            Client = new PartyFormModel { Name = clientName, Email = clientEmail },
            Freelancer = new PartyFormModel { Name = freelancerName, Email = "dave@other.test" },
            Currency = "BTC",
            Milestones = [new MilestoneFormModel { Title = "Only milestone", Amount = "0.5", DueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)) }],
        };
        var agency = Actor.Agency($"owner@{storeId}.test");
        var id = await drafting.CreateDraftAsync(storeId, form.ToTerms(), agency, ct);
        var links = await drafting.ProposeAsync(storeId, id, agency, ct);
        var hash = (await app.ContractAsync(id)).LatestTermsVersion!.Hash;
        await parties.AcceptTermsAsync(links.ClientToken!, hash, ct);
        await parties.AcceptTermsAsync(links.FreelancerToken!, hash, ct);
        var milestoneId = (await app.ContractAsync(id)).Milestones.Single().Id;
        var checkout = await parties.FundAsync(links.ClientToken!, [milestoneId], _ => "http://localhost/", ct);
        await cashier.PayAsync(checkout.CheckoutLink.Split('/').Last(), 0.5m, "onchain", ct);
        await parties.OpenDisputeAsync(links.ClientToken!, milestoneId, disputeReason, ct);
        await parties.ProposeSplitAsync(links.FreelancerToken!, milestoneId, 0.25m, "Half each", ct);
        var proposalId = (await app.ContractAsync(id)).ActiveDispute(milestoneId)!.OpenProposal!.Id;
        return new OtherStoreContract(id, milestoneId, title, clientName, freelancerName, links.ClientToken!, links.FreelancerToken!, proposalId);
    }
}
