using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// Every action of every API controller, found by reflection (an action added later is tried without being listed
/// here), against the authorization matrix: no key, a revoked key, a key without the action's permission and the
/// staff's sign-in cookie without a key are refused (401, 401, 403, 401); another store's route and another store's
/// contract in this store's route are a 404; ids of another store in the body choose nothing. Nothing of the other
/// store, of the neighbouring contract (or, when refused, of the route's own contract) changes.
/// </summary>
public sealed class ApiAuthorizationMatrixTests(CrossStoreApp app) : IClassFixture<CrossStoreApp>
{
    public static TheoryData<string> Actions
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var action in ApiActions())
                data.Add(action.ToString());
            return data;
        }
    }

    public static IReadOnlyList<CrossStoreTests.EndpointAction> ApiActions() =>
        CrossStoreTests.ActionsOf(typeof(GreenfieldApi).Assembly).Where(a => a.IsApi).ToList();

    [Fact]
    public void Every_API_controller_is_enumerated_and_authorizes_with_the_Greenfield_scheme_only()
    {
        var actions = ApiActions();
        Assert.True(actions.Count >= 20, $"Only {actions.Count} API actions were found.");
        foreach (var controller in actions.Select(a => a.Controller).Distinct())
        {
            var authorize = controller.GetCustomAttribute<AuthorizeAttribute>();
            Assert.True(authorize is { AuthenticationSchemes: GreenfieldApi.AuthenticationSchemes }, $"{controller.Name} does not authorize with the Greenfield schemes only.");
            Assert.Contains(authorize!.Policy, new[] { EscrowPolicies.ManageContracts, EscrowPolicies.ArbitrateDisputes });
        }
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Callers_without_the_right_key_are_refused_and_nothing_changes(string name)
    {
        var action = ApiActions().Single(a => a.ToString() == name);
        var mine = await app.MineAsync();
        var policy = action.Controller.GetCustomAttribute<AuthorizeAttribute>()!.Policy;
        var lacking = policy == EscrowPolicies.ManageContracts ? app.ArbitrateKey : app.ManageKey;
        var allowed = policy == EscrowPolicies.ManageContracts ? app.ManageKey : app.ArbitrateKey;
        var own = Url(action, EscrowApp.StoreId, mine);
        var body = Body(action);
        var protectedBefore = await app.ProtectedSnapshotAsync();
        var mineBefore = await app.SnapshotAsync(mine.Id);

        await Expect(HttpStatusCode.Unauthorized, "unauthenticated", app.Api(null), action, own, body);
        await Expect(HttpStatusCode.Unauthorized, "unauthenticated", app.Api(app.RevokedKey), action, own, body);
        await Expect(HttpStatusCode.Unauthorized, "unauthenticated", app.Api("0123456789abcdef"), action, own, body);
        await Expect(HttpStatusCode.Forbidden, "missing-permission", app.Api(lacking), action, own, body);
        // Signed in to the pages, but no key: the API never takes the cookie (so no cross-site request can use it).
        var cookie = await app.Staff.SendRawAsync(Request(action, own, body));
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.Status);
        Assert.Equal(mineBefore, await app.SnapshotAsync(mine.Id));

        // Another store in the route, with its own contract's ids: not found, as if it did not exist.
        await Expect(HttpStatusCode.NotFound, null, app.Api(allowed), action, Url(action, EscrowApp.OtherStoreId, app.Theirs), body);
        // This store in the route, another store's contract: not found either.
        if (action.Template.Contains("{contractId", StringComparison.Ordinal))
            await Expect(HttpStatusCode.NotFound, null, app.Api(allowed), action, Url(action, EscrowApp.StoreId, app.Theirs), body);
        // Ids of the other store and of the neighbour in the body (or the query) choose nothing.
        foreach (var target in new[] { app.Theirs, app.Neighbour })
        {
            var attack = Attack(target, body);
            var answer = await app.Api(allowed).SendAsync(new HttpMethod(action.HttpMethod), own + Query(target), attack);
            Assert.True((int)answer.Status < 500, $"{name}: {answer}");
            // The neighbour is of the same store: its dispute and client may be listed; its links never show.
            var secrets = target == app.Theirs
                ? new[] { target.ClientToken, target.FreelancerToken, target.Title, OtherStoreContract.ClientEmail, OtherStoreContract.DisputeReason }
                : new[] { target.ClientToken, target.FreelancerToken };
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, answer.Body);
        }
        Assert.Equal(protectedBefore, await app.ProtectedSnapshotAsync());
    }

    private static async Task Expect(HttpStatusCode status, string? code, ApiClient api, CrossStoreTests.EndpointAction action, string url, string? body)
    {
        var answer = await api.SendAsync(new HttpMethod(action.HttpMethod), url, body);
        Assert.True(answer.Status == status, $"{action} at {url}: expected {(int)status}, got {answer}");
        Assert.False(string.IsNullOrWhiteSpace((string?)answer.This["message"]), $"{action}: no message in {answer}");
        if (code is not null)
            Assert.Equal(code, (string?)answer.This["code"]);
    }

    private static HttpRequestMessage Request(CrossStoreTests.EndpointAction action, string url, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(action.HttpMethod), url);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private static string Url(CrossStoreTests.EndpointAction action, string storeId, OtherStoreContract contract) =>
        "/" + Regex.Replace(action.Template, @"\{(\w+)(?::[^}]*)?\}", m => m.Groups[1].Value switch
        {
            "storeId" => storeId,
            "contractId" => contract.Id.ToString(),
            "milestoneId" => contract.MilestoneId.ToString(),
            "role" => "Client",
            "paymentId" => "sbx_pay_0000",
            var other => throw new Xunit.Sdk.XunitException($"No value for the route value {{{other}}} of {action}: add one here."),
        });

    /// <summary>The action's documented example body (a plausible request), or none.</summary>
    private static string? Body(CrossStoreTests.EndpointAction action) =>
        action.Method.GetParameters().FirstOrDefault(p => p.GetCustomAttributes().OfType<IBindingSourceMetadata>().Any(b => b.BindingSource == BindingSource.Body)) is { } parameter
            ? JsonSerializer.Serialize(ApiExamples.For(parameter.ParameterType) ?? new object(), ApiJson.Options)
            : null;

    private static string Attack(OtherStoreContract target, string? body)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(body ?? "{}")!.AsObject();
        json["storeId"] = EscrowApp.OtherStoreId;
        json["contractId"] = target.Id.ToString();
        json["milestoneId"] = target.MilestoneId.ToString();
        json["token"] = target.ClientToken;
        return json.ToJsonString();
    }

    private static string Query(OtherStoreContract target) => $"?storeId={EscrowApp.OtherStoreId}&contractId={target.Id}&milestoneId={target.MilestoneId}";
}
