using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using BTCPayServer.Plugins.Escrow.Web.Controllers;
using BTCPayServer.Plugins.Escrow.Web.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// The store, contract and party an action works on come from its route (the part that was authorized), never from a
/// form field, the query string or a JSON body. Every action of every controller of the Web library is found by
/// reflection, so an action added later is tried without anyone adding it here.
/// </summary>
/// <remarks>With API keys (<see cref="Api.ApiApp"/>): the API's own matrix aims at the same contracts.</remarks>
public sealed class CrossStoreApp : Api.ApiApp
{
    public const string TheirFeePercent = "7.77";

    /// <summary>Another store's contract in dispute, with its links: what an attacker at this store aims at.</summary>
    public OtherStoreContract Theirs { get; private set; } = null!;
    /// <summary>Another contract of the signed-in store: an act on one contract must not reach its neighbour either.</summary>
    public OtherStoreContract Neighbour { get; private set; } = null!;
    public Browser Staff { get; private set; } = null!;
    private int _made;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
        Theirs = await OtherStoreContract.CreateAsync(this);
        Neighbour = await OtherStoreContract.CreateAsync(this, StoreId, "Neighbour contract", "Nina Neighbour", "Ned Neighbour", "nina@neighbour.test", "Neighbour's own dispute");
        // The other store's settings differ from this store's, so a page showing them would give itself away.
        var settings = Services.GetRequiredService<IStoreSettingsStore>();
        var theirs = SettingsFormModel.From(await settings.GetAsync(OtherStoreId, CancellationToken.None));
        theirs.DefaultFeePercent = TheirFeePercent;
        await settings.SaveAsync(OtherStoreId, theirs.ToSettings(), CancellationToken.None);
    }

    /// <summary>With a chain, so the non-custodial actions get as far as reading their input.</summary>
    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<Core.NonCustodial.IEscrowChain>(new Core.NonCustodial.SandboxEscrowChain(new Core.NonCustodial.SandboxChain(NBitcoin.Network.RegTest)));
    }

    /// <summary>A fresh contract of this store, in dispute with an open proposal: the route's own contract for one action.</summary>
    public Task<OtherStoreContract> MineAsync() =>
        OtherStoreContract.CreateAsync(this, StoreId, $"Mine {Interlocked.Increment(ref _made)}", "Mia Mine", "Max Mine", "mia@mine.test", "Mine's dispute");

    /// <summary>Everything stored about the other store and about the neighbour contract.</summary>
    public Task<string> ProtectedSnapshotAsync() => DatabaseSnapshot.OfAsync(this, [OtherStoreId], [Theirs.Id, Neighbour.Id]);
}

public sealed class CrossStoreTests(CrossStoreApp app) : IClassFixture<CrossStoreApp>
{
    /// <summary>One action of a controller: its HTTP method and its full route template.</summary>
    public sealed record EndpointAction(Type Controller, MethodInfo Method, string HttpMethod, string Template)
    {
        public bool IsStaff => Template.Contains("{storeId}", StringComparison.Ordinal);
        public bool IsApi => Controller.Namespace?.EndsWith(".Controllers.Api", StringComparison.Ordinal) == true;
        /// <summary>A public page of a store (its "Email me my link" page): anyone may open it, so no staff matrix applies.</summary>
        public bool IsPublic => Method.IsDefined(typeof(Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute), true)
            || Controller.IsDefined(typeof(Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute), true);
        public override string ToString() => $"{HttpMethod} {Controller.Name}.{Method.Name} /{Template}";
    }

    /// <summary>
    /// Every action of every page controller in the Web library. The API's controllers take no form, no cookie and no
    /// antiforgery token (an API key and a JSON body only): <c>Api.ApiAuthorizationMatrixTests</c> tries them the same way.
    /// </summary>
    public static IReadOnlyList<EndpointAction> AllActions() => ActionsOf(typeof(UIEscrowContractsController).Assembly).Where(a => !a.IsApi).ToList();

    /// <summary>Every action of the Web library and of the standalone host (its webhooks, sandbox and sign-in pages).</summary>
    public static IReadOnlyList<EndpointAction> WebAndHostActions() => ActionsOf(typeof(UIEscrowContractsController).Assembly, typeof(Program).Assembly);

    public static IReadOnlyList<EndpointAction> ActionsOf(params Assembly[] assemblies)
    {
        var list = new List<EndpointAction>();
        foreach (var controller in assemblies.SelectMany(a => a.GetTypes()).Where(t => typeof(ControllerBase).IsAssignableFrom(t) && !t.IsAbstract))
        {
            var prefix = controller.GetCustomAttribute<RouteAttribute>()?.Template ?? "";
            foreach (var method in controller.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                foreach (var http in method.GetCustomAttributes<HttpMethodAttribute>())
                {
                    var template = string.IsNullOrEmpty(http.Template) ? prefix : $"{prefix}/{http.Template}";
                    foreach (var verb in http.HttpMethods)
                        list.Add(new EndpointAction(controller, method, verb, template.Trim('/')));
                }
            }
        }
        return list;
    }

    public static TheoryData<string> Actions
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var action in AllActions())
                data.Add(action.ToString());
            return data;
        }
    }

    [Fact]
    public void Every_staff_and_party_controller_is_enumerated()
    {
        var names = AllActions().Select(a => a.Controller.Name).Distinct().ToList();
        foreach (var expected in new[] { nameof(UIEscrowContractsController), nameof(UIEscrowDisputesController), nameof(UIEscrowSettingsController), nameof(UIEscrowPartyController), nameof(UIEscrowReceiptController),
                     nameof(UIEscrowPartyEscrowController), nameof(UIEscrowNonCustodialController) })
            Assert.Contains(expected, names);
        Assert.True(AllActions().Count >= 30, $"Only {AllActions().Count} actions were found.");
    }

    /// <summary>
    /// A parameter named like a route value binds from the route alone: MVC consults the form before the route, so a
    /// plain parameter lets a form field replace the authorized store. Covers the host's controllers too.
    /// </summary>
    [Fact]
    public void Every_parameter_named_in_a_route_binds_from_the_route_only()
    {
        var wrong = new List<string>();
        foreach (var action in WebAndHostActions())
        {
            var names = RouteValueNames(action.Template);
            foreach (var parameter in action.Method.GetParameters().Where(p => names.Contains(p.Name!, StringComparer.OrdinalIgnoreCase)))
            {
                var source = parameter.GetCustomAttributes().OfType<IBindingSourceMetadata>().FirstOrDefault()?.BindingSource;
                if (source != BindingSource.Path)
                    wrong.Add($"{action.Controller.Name}.{action.Method.Name}({parameter.Name})");
            }
        }
        Assert.True(wrong.Count == 0, "Parameters that a form or query value can replace: " + string.Join(", ", wrong.Distinct()));
    }

    /// <summary>No form model carries a store id (or any id of what the route names) that a post could set.</summary>
    [Fact]
    public void No_bound_model_has_a_property_naming_a_store_or_contract()
    {
        var forbidden = new[] { "StoreId", "ContractId", "MilestoneId", "ProposalId", "PaymentId", "WebhookId", "DeliveryId", "Token" };
        var found = new List<string>();
        var seen = new HashSet<Type>();
        void Visit(Type type, string path)
        {
            if (type.IsPrimitive || type == typeof(string) || type == typeof(Guid) || type.IsEnum || !seen.Add(type) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true && !type.IsGenericType)
                return;
            if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                    Visit(argument, path);
                return;
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                if (forbidden.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    found.Add($"{path}.{property.Name}");
                Visit(property.PropertyType, $"{path}.{property.Name}");
            }
        }
        foreach (var action in WebAndHostActions())
            foreach (var parameter in action.Method.GetParameters())
                Visit(parameter.ParameterType, $"{action.Controller.Name}.{action.Method.Name}({parameter.Name})");
        Assert.Empty(found);
        // The host's controllers are really in the list (the webhooks page names its webhook in the route).
        Assert.Contains(WebAndHostActions(), a => a.Template.Contains("{webhookId}", StringComparison.Ordinal));
    }

    /// <summary>
    /// Sends the action with the route of a contract of the signed-in store (or its party link), and in the form body,
    /// the query string and a JSON body the ids of another store's contract and of another contract of the same store.
    /// Each request must be refused or act on the route's own contract: the other store's rows and the neighbour's rows
    /// are exactly as before (a full snapshot of every table), and the answer neither shows nor points to them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Ids_outside_the_route_never_choose_the_store_or_contract_acted_on(string name)
    {
        var action = AllActions().Single(a => a.ToString() == name);
        var mine = await app.MineAsync();
        var contract = await app.ContractAsync(mine.Id);
        var url = "/" + RouteValue().Replace(action.Template, m => Uri.EscapeDataString(OwnRouteValue(m.Groups[1].Value, mine)));
        var plausible = await PlausibleFieldsAsync(action, mine, contract.LatestTermsVersion!.Hash);

        foreach (var target in new[] { app.Theirs, app.Neighbour })
        {
            var attack = AttackFields(target, target == app.Theirs ? EscrowApp.OtherStoreId : EscrowApp.StoreId);
            foreach (var carrier in new[] { "form", "query", "json" })
            {
                var before = await app.ProtectedSnapshotAsync();
                var browser = action.IsStaff ? app.Staff : app.NewBrowser();
                var page = await SendAsync(browser, action.HttpMethod, url, carrier, plausible, attack);
                var what = $"{name}, ids of {(target == app.Theirs ? "another store" : "another contract")} in the {carrier}";

                Assert.NotEqual(HttpStatusCode.TooManyRequests, page.Status);
                var location = page.Location?.OriginalString ?? "";
                foreach (var id in new[] { EscrowApp.OtherStoreId, target.Id.ToString(), target.ClientToken, target.FreelancerToken })
                    Assert.False(location.Contains(id, StringComparison.OrdinalIgnoreCase), $"{what}: redirected to {location}");
                foreach (var secret in SecretsOf(target))
                    Assert.False(page.Body.Contains(secret, StringComparison.Ordinal), $"{what}: the answer shows \"{secret}\"");
                Assert.Equal(before, await app.ProtectedSnapshotAsync());
            }
        }
    }

    /// <summary>What the page would show only if it read the target: its client, its dispute, its store's settings.</summary>
    private IEnumerable<string> SecretsOf(OtherStoreContract target) => target == app.Theirs
        ? [target.Title, target.ClientName, target.FreelancerName, OtherStoreContract.ClientEmail, OtherStoreContract.DisputeReason, $"value=\"{CrossStoreApp.TheirFeePercent}\""]
        // The neighbour is of the same store: its title and client may be listed; its email and dispute show only on its own pages.
        : ["nina@neighbour.test", "Neighbour's own dispute"];

    private static Dictionary<string, string> AttackFields(OtherStoreContract target, string storeId) => new()
    {
        ["storeId"] = storeId,
        ["contractId"] = target.Id.ToString(),
        ["milestoneId"] = target.MilestoneId.ToString(),
        ["milestoneIds"] = target.MilestoneId.ToString(),
        ["proposalId"] = target.ProposalId.ToString(),
        ["token"] = target.ClientToken,
        ["role"] = "Freelancer",
        ["paymentId"] = "sbx_pay_target",
        ["spendId"] = Guid.NewGuid().ToString(),
    };

    private static string OwnRouteValue(string name, OtherStoreContract mine) => name switch
    {
        "storeId" => EscrowApp.StoreId,
        "contractId" => mine.Id.ToString(),
        "milestoneId" => mine.MilestoneId.ToString(),
        "proposalId" => mine.ProposalId.ToString(),
        "token" => mine.ClientToken,
        "role" => "Client",
        "paymentId" => "sbx_pay_0000",
        "spendId" => Guid.Empty.ToString(),
        "file" => "escrow-party.js",
        _ => throw new Xunit.Sdk.XunitException($"No value for the route value {{{name}}}: add one to {nameof(OwnRouteValue)}."),
    };

    /// <summary>What the action's own form would send, valid where possible, so the request gets as far as acting.</summary>
    private async Task<List<KeyValuePair<string, string>>> PlausibleFieldsAsync(EndpointAction action, OtherStoreContract mine, string termsHash)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var routeNames = RouteValueNames(action.Template);
        foreach (var parameter in action.Method.GetParameters())
        {
            if (routeNames.Contains(parameter.Name!) || parameter.ParameterType == typeof(CancellationToken)
                || parameter.ParameterType == typeof(Microsoft.AspNetCore.Http.IFormFile))
                continue;
            if (parameter.ParameterType == typeof(ContractFormModel))
                fields.AddRange(ContractForm.Valid("Cross-store attempt", amounts: ["0.01"]));
            else if (parameter.ParameterType == typeof(SettingsFormModel))
            {
                var page = await app.Staff.OpenAsync($"{Urls.Staff()}/settings");
                fields.AddRange(HtmlFormFields.Of((IHtmlFormElement)page.Get("#SettingsForm")).Where(f => f.Key != "__RequestVerificationToken"));
            }
            else if (parameter.ParameterType == typeof(LinkRequestForm))
                // The other store's client: were the store taken from anywhere but the route, their contract would change.
                fields.Add(new("Email", OtherStoreContract.ClientEmail));
            else if (parameter.ParameterType == typeof(RulingForm))
                fields.AddRange([new("Form.FreelancerShare", "50"), new("Form.Unit", "Percent"), new("Form.Reason", "Cross-store attempt")]);
            else
            {
                var value = parameter.Name switch
                {
                    "reason" or "message" or "text" or "note" => "Cross-store attempt",
                    "links" or "fileHashes" or "search" => "",
                    "freelancerAmount" => "0.1",
                    // Non-custodial acts: a key, an address and a PSBT that parse on no network, so they are refused with nothing stored.
                    "key" => "[d34db33f/48h/1h/0h/2h]tpubCrossStoreAttempt",
                    "payoutAddress" => "bcrt1qcrossstoreattempt",
                    "psbt" => "cHNidP8BAAoCAAAAAAAAAAAAAAAA",
                    "termsHash" => termsHash,
                    "accept" or "sent" => "true",
                    "confirm" => "yes",
                    "milestoneIds" => mine.MilestoneId.ToString(),
                    "state" or "page" or "thread" or "from" or "to" => null,
                    _ => throw new Xunit.Sdk.XunitException($"No plausible value for {action}({parameter.Name}): add one to {nameof(PlausibleFieldsAsync)}."),
                };
                if (value is not null)
                    fields.Add(new(parameter.Name!, value));
            }
        }
        return fields;
    }

    private static async Task<Page> SendAsync(Browser browser, string method, string url, string carrier, List<KeyValuePair<string, string>> plausible, Dictionary<string, string> attack)
    {
        var token = method == "GET" ? null : await browser.TokenAsync();
        var attackList = attack.Select(a => new KeyValuePair<string, string>(a.Key, a.Value)).ToList();
        // For milestoneIds, a list: the other contract's milestone joins the route contract's own.
        switch (carrier)
        {
            case "form":
            {
                var fields = plausible.Where(f => !attack.ContainsKey(f.Key) || f.Key == "milestoneIds").Concat(attackList).ToList();
                if (token is not null)
                    fields.Add(new("__RequestVerificationToken", token));
                // A GET with a form body binds the form too (MVC does not look at the method): try it as well.
                return await browser.SendRawAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = new FormUrlEncodedContent(fields) });
            }
            case "query":
            {
                var query = string.Join("&", attackList.Select(a => $"{Uri.EscapeDataString(a.Key)}={Uri.EscapeDataString(a.Value)}"));
                var request = new HttpRequestMessage(new HttpMethod(method), $"{url}?{query}");
                if (method != "GET")
                {
                    var fields = plausible.ToList();
                    fields.Add(new("__RequestVerificationToken", token!));
                    request.Content = new FormUrlEncodedContent(fields);
                }
                return await browser.SendRawAsync(request);
            }
            default:
            {
                var body = new Dictionary<string, string>();
                foreach (var (key, value) in plausible.Concat(attackList))
                    body[key] = value;
                var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
                if (token is not null)
                    request.Headers.Add("RequestVerificationToken", token);
                return await browser.SendRawAsync(request);
            }
        }
    }

    private static HashSet<string> RouteValueNames(string template) =>
        RouteValue().Matches(template).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static Regex RouteValue() => new(@"\{(\w+)(?::[^}]*)?\}");
}
