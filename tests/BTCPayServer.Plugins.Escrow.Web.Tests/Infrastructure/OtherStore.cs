using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Models;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>A contract of another store on the same host, made through the application services (this host's login
/// only knows one store): active, funded and in dispute, so every staff route has something real to refuse.</summary>
public sealed record OtherStoreContract(Guid Id, Guid MilestoneId, string Title, string ClientName, string FreelancerName)
{
    public static async Task<OtherStoreContract> CreateAsync(EscrowApp app, string storeId = EscrowApp.OtherStoreId)
    {
        var ct = CancellationToken.None;
        await using var scope = app.Services.CreateAsyncScope();
        var drafting = scope.ServiceProvider.GetRequiredService<ContractDrafting>();
        var parties = scope.ServiceProvider.GetRequiredService<PartyActions>();
        var cashier = scope.ServiceProvider.GetRequiredService<SandboxCashier>();
        var form = new ContractFormModel
        {
            Title = "Confidential other-store deal",
            Scope = "Nobody at the default store may see this.",
            Client = new PartyFormModel { Name = "Carol Otherclient", Email = "carol@other.test" },
            Freelancer = new PartyFormModel { Name = "Dave Otherfreelancer", Email = "dave@other.test" },
            Currency = "BTC",
            Milestones = [new MilestoneFormModel { Title = "Only milestone", Amount = "0.5", DueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)) }],
        };
        var agency = Actor.Agency("owner@other.test");
        var id = await drafting.CreateDraftAsync(storeId, form.ToTerms(), agency, ct);
        var links = await drafting.ProposeAsync(storeId, id, agency, ct);
        var hash = (await app.ContractAsync(id)).LatestTermsVersion!.Hash;
        await parties.AcceptTermsAsync(links.ClientToken!, hash, ct);
        await parties.AcceptTermsAsync(links.FreelancerToken!, hash, ct);
        var milestoneId = (await app.ContractAsync(id)).Milestones.Single().Id;
        var checkout = await parties.FundAsync(links.ClientToken!, [milestoneId], _ => "http://localhost/", ct);
        await cashier.PayAsync(checkout.CheckoutLink.Split('/').Last(), 0.5m, "onchain", ct);
        await parties.OpenDisputeAsync(links.ClientToken!, milestoneId, "Other store's dispute", ct);
        return new OtherStoreContract(id, milestoneId, form.Title, form.Client.Name, form.Freelancer.Name);
    }
}
