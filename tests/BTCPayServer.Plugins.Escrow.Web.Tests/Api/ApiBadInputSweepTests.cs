using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// Every field of the API's contract and settings bodies receives every bad value of the page sweep (as a JSON
/// string) and values of the wrong JSON type (numbers far out of range, booleans, arrays, objects). Each answer is a
/// 4xx with a short message naming the field (or, where the value is acceptable text, a 200), never a 5xx; a refusal
/// changes nothing stored. Each answer is also checked against the OpenAPI document.
/// </summary>
public sealed class ApiBadInputSweepTests(ApiApp app, ITestOutputHelper output) : IClassFixture<ApiApp>
{
    /// <summary>JSON that is not a string: wrong types, and numbers no field can hold.</summary>
    private static readonly string[] RawValues =
        ["0", "-1", "1.5", "-0.000000001", "1e400", "99999999999999999999999999999999", "-99999999999999999999", "true", "false", "[]", "[1,2]", "{}", "{\"a\":{\"b\":[null]}}", "\"\""];

    private static IEnumerable<string> Values => BadValues.All.Select(v => JsonSerializer.Serialize(v.Text)).Concat(RawValues);

    private static readonly string[] ContractFields =
    [
        "title", "scope", "client.name", "client.email", "freelancer.name", "freelancer.email", "currency", "fx",
        "fee.percent", "fee.fixed", "fee.chargedTo", "overpayment", "reviewWindow", "disputeResponseWindow",
        "milestones[0].id", "milestones[0].title", "milestones[0].deliverable", "milestones[0].amount", "milestones[0].dueDate", "milestones[0].reviewWindow",
        "custody",
    ];

    private static readonly string[] SettingsFields =
    [
        "defaultCurrency", "defaultFx", "defaultFeePercent", "defaultFeeFixed", "defaultFeePayer", "defaultOverpayment",
        "defaultReviewWindowDays", "defaultDisputeWindowDays", "paymentMethods", "paymentMethods[0]", "payoutMethods", "autoApproveClaims",
        "agencyKey", "agencyPayoutAddress", "networkFeeRate",
    ];

    [Fact]
    public async Task Every_contract_field_refuses_bad_values_in_words_and_stores_nothing()
    {
        var api = app.Api(app.ManageKey);
        var draft = ApiContracts.Draft("Sweep", "USD") with { Fee = new FeeRequest("1", "0", Core.Contracts.FeePayer.Freelancer) };
        var baseBody = JsonSerializer.SerializeToNode(draft, ApiJson.Options)!.AsObject();
        var (refused, accepted) = (0, new List<string>());
        foreach (var field in ContractFields)
        {
            foreach (var value in Values)
            {
                var body = With(baseBody, field, value);
                var before = await app.CountContractsAsync();
                var answer = await api.PostAsync(ApiApp.Path("/contracts"), body);
                if (Check(answer, field, value))
                {
                    refused++;
                    Assert.Equal(before, await app.CountContractsAsync());
                }
                else
                {
                    accepted.Add($"{field} = {Excerpt(value)}");
                }
            }
        }
        output.WriteLine($"{refused} refused; accepted as valid: {string.Join(", ", accepted)}");
        Assert.True(refused >= 1000, $"Only {refused} bad values were refused.");
        // What may pass is text in a free-text field, or a value that is a valid choice (a 3-letter word is a currency code).
        Assert.All(accepted, a => Assert.Matches(@"^(title|scope|client\.name|freelancer\.name|milestones\[0\]\.(title|deliverable)|currency|fee\.(percent|fixed)|milestones\[0\]\.(amount|dueDate|reviewWindow|id)|reviewWindow|disputeResponseWindow|fx|overpayment|fee\.chargedTo) = ", a));
    }

    [Fact]
    public async Task Every_settings_field_refuses_bad_values_in_words_and_stores_nothing()
    {
        var api = app.Api(app.ManageKey);
        // Every field swept against complete settings: the agency's key and payout address given (on the sandbox chain's regtest).
        var agency = new TestWallet(401, NBitcoin.Network.RegTest);
        var keyed = await api.PutAsync(ApiApp.Path("/settings"), new SettingsRequest(AgencyKey: agency.Exported, AgencyPayoutAddress: agency.Payout, NetworkFeeRate: "3"));
        Assert.True(keyed.Status == HttpStatusCode.OK, keyed.ToString());
        var original = (await api.GetAsync(ApiApp.Path("/settings"))).This.ToJsonString();
        var baseBody = JsonNode.Parse(original)!.AsObject();
        var refused = 0;
        foreach (var field in SettingsFields)
        {
            foreach (var value in Values)
            {
                var answer = await api.PutAsync(ApiApp.Path("/settings"), With(baseBody, field, value));
                if (Check(answer, field, value))
                {
                    refused++;
                    Assert.Equal(original, (await api.GetAsync(ApiApp.Path("/settings"))).This.ToJsonString());
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(ApiApp.Path("/settings"), original)).Status);
                }
            }
        }
        output.WriteLine($"{refused} refused");
        Assert.True(refused >= 900, $"Only {refused} bad values were refused.");
    }

    /// <summary>True when refused (checked to be a proper refusal); false when accepted.</summary>
    private static bool Check(ApiAnswer answer, string field, string value)
    {
        var what = $"{field} = {Excerpt(value)}";
        Assert.True((int)answer.Status < 500, $"{what}: {answer}");
        if (answer.Status == HttpStatusCode.OK)
            return false;
        Assert.True(answer.Status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest, $"{what}: {answer}");
        Assert.True(answer.Body.Length < 2_000, $"{what}: a {answer.Body.Length}-character answer");
        if (answer.Status == HttpStatusCode.UnprocessableEntity)
        {
            var error = answer.This[0]!;
            var path = (string)error["path"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]), what);
            // The field itself, a part of it (milestones[0] for its amount), or the whole body when it could not be read.
            var parent = field.Contains('.') ? field[..field.LastIndexOf('.')] : field.Split('[')[0];
            Assert.True(path == field || path == parent || path.StartsWith(field, StringComparison.Ordinal) || field.StartsWith(path, StringComparison.Ordinal) || path == "milestones",
                $"{what}: the error names '{path}': {answer}");
        }
        return true;
    }

    private static string With(JsonObject body, string field, string rawValue)
    {
        var copy = body.DeepClone().AsObject();
        JsonNode target = copy;
        var segments = field.Split('.');
        foreach (var segment in segments[..^1])
            target = Step(target, segment);
        var last = segments[^1];
        var value = JsonNode.Parse(rawValue);
        if (last.EndsWith(']'))
        {
            var name = last[..last.IndexOf('[')];
            var index = int.Parse(last[(last.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (target[name] is not JsonArray array)
                target[name] = array = [];
            while (array.Count <= index)
                array.Add(null);
            array[index] = value;
        }
        else
        {
            target[last] = value;
        }
        return copy.ToJsonString();
    }

    private static JsonNode Step(JsonNode node, string segment)
    {
        if (!segment.EndsWith(']'))
            return node[segment] ??= new JsonObject();
        var name = segment[..segment.IndexOf('[')];
        var index = int.Parse(segment[(segment.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return node[name]![index]!;
    }

    private static string Excerpt(string value) => value.Length <= 30 ? value : value[..30] + "…";
}
