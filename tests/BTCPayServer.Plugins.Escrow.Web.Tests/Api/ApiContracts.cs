using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>Contracts made through the API, for the API tests.</summary>
public static class ApiContracts
{
    public static ContractRequest Draft(string title = "Website redesign", string currency = "USD", params string[] amounts) => new()
    {
        Title = title,
        Scope = "Five pages.",
        Client = new PartyRequest("Carla Client", "carla@client.example"),
        Freelancer = new PartyRequest("Fred Freelancer", "fred@freelancer.example"),
        Currency = currency,
        Fx = currency is "BTC" or "SATS" ? null : Core.Contracts.FxPolicy.FiatProtected,
        Milestones = (amounts.Length == 0 ? ["250.00"] : amounts).Select((a, i) => new MilestoneRequest(null, $"Milestone {i + 1}", "Work", a, null, null)).ToList(),
    };

    public static async Task<JsonNode> CreateAsync(ApiClient api, ContractRequest? request = null)
    {
        var answer = await api.PostAsync(ApiApp.Path("/contracts"), request ?? Draft());
        Assert.True(answer.Status == System.Net.HttpStatusCode.OK, answer.ToString());
        return answer.This;
    }

    public static Guid IdOf(JsonNode contract) => Guid.Parse((string)contract["id"]!);

    /// <summary>Created, sent (returns the links' tokens) and, when asked, accepted by both parties.</summary>
    public static async Task<(Guid Id, string ClientToken, string FreelancerToken)> SentAsync(EscrowApp app, ApiClient api, bool accepted = false)
    {
        var id = IdOf(await CreateAsync(api));
        var sent = await api.PostAsync(ApiApp.Path($"/contracts/{id}/send"));
        Assert.True(sent.Status == System.Net.HttpStatusCode.OK, sent.ToString());
        var links = sent.This["links"]!.AsArray();
        var client = Urls.TokenOf((string)links.Single(l => (string)l!["role"]! == "Client")!["url"]!);
        var freelancer = Urls.TokenOf((string)links.Single(l => (string)l!["role"]! == "Freelancer")!["url"]!);
        if (accepted)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var parties = scope.ServiceProvider.GetRequiredService<PartyActions>();
            var hash = (await app.ContractAsync(id)).LatestTermsVersion!.Hash;
            await parties.AcceptTermsAsync(client, hash, CancellationToken.None);
            await parties.AcceptTermsAsync(freelancer, hash, CancellationToken.None);
        }
        return (id, client, freelancer);
    }
}
