using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Web.Api;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// Inside BTCPay the escrow API is documented in BTCPay's own <c>/swagger/v1/swagger.json</c> (OpenAPI 3.0), which
/// merges every fragment into one object. The fragment must keep every route, name only its own schemas, overwrite
/// nothing of BTCPay's, and leave a valid 3.0 document.
/// </summary>
public sealed class OpenApiFragmentTests
{
    private static readonly JsonObject Source = JsonNode.Parse(OpenApiFragment.Document())!.AsObject();
    private static readonly JsonObject Fragment = JsonNode.Parse(OpenApiFragment.ForBtcPay())!.AsObject();

    [Fact]
    public void Every_route_and_schema_of_the_document_is_in_the_fragment_under_the_escrow_prefix()
    {
        Assert.Equal(Source["paths"]!.AsObject().Select(p => p.Key), Fragment["paths"]!.AsObject().Select(p => p.Key));
        // A name that starts with the prefix already (EscrowRole) keeps it; no two schemas may end up with one name.
        var expected = Source["components"]!["schemas"]!.AsObject().Select(s => s.Key.StartsWith("Escrow", StringComparison.Ordinal) ? s.Key : "Escrow" + s.Key).ToList();
        Assert.Equal(expected.Count, expected.Distinct().Count());
        Assert.Equal(expected.Order(), Fragment["components"]!["schemas"]!.AsObject().Select(s => s.Key).Order());
        Assert.Null(Fragment["components"]!["securitySchemes"]);
        Assert.Null(Fragment["openapi"]);
    }

    [Fact]
    public void Nothing_of_OpenAPI_3_1_is_left_and_every_reference_resolves_inside_the_fragment()
    {
        var schemas = Fragment["components"]!["schemas"]!.AsObject();
        var nodes = Descendants(Fragment).ToList();
        Assert.DoesNotContain(nodes, n => n is JsonObject o && o["type"] is JsonArray);
        Assert.DoesNotContain(nodes, n => n is JsonObject o && o["type"]?.ToString() == "null");
        var references = nodes.OfType<JsonObject>().Where(o => o["$ref"] is not null).Select(o => o["$ref"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r =>
        {
            Assert.StartsWith("#/components/schemas/Escrow", r);
            Assert.True(schemas.ContainsKey(r["#/components/schemas/".Length..]), $"{r} points at no schema of the fragment");
        });
        // A field the source allows to be null still says so.
        var client = schemas["EscrowContractRequest"]!["properties"]!["client"]!;
        Assert.True(client["nullable"]!.GetValue<bool>());
        Assert.Equal("#/components/schemas/EscrowPartyRequest", client["allOf"]![0]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void Merged_into_BTCPays_document_it_overwrites_nothing_and_the_result_is_valid_OpenAPI_3_0()
    {
        var btcpay = new JsonObject();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Greenfield", "OpenApi"), "*.json").Order())
            Merge(btcpay, JsonNode.Parse(File.ReadAllText(file))!.AsObject());

        foreach (var section in new[] { "paths" })
            Assert.Empty(Fragment[section]!.AsObject().Select(p => p.Key).Intersect(btcpay[section]!.AsObject().Select(p => p.Key)));
        Assert.Empty(Fragment["components"]!["schemas"]!.AsObject().Select(p => p.Key).Intersect(btcpay["components"]!["schemas"]!.AsObject().Select(p => p.Key)));
        // Operations name BTCPay's own API key scheme.
        Assert.NotNull(btcpay["components"]!["securitySchemes"]!["API_Key"]);
        var operations = Fragment["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).Select(o => o.Value!.AsObject()).ToList();
        Assert.All(operations, o => Assert.NotNull(o["security"]![0]!["API_Key"]));

        Merge(btcpay, Fragment);
        var read = OpenApiDocument.Parse(btcpay.ToJsonString(), "json", new OpenApiReaderSettings());
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, read.Diagnostic!.SpecificationVersion);
        Assert.Empty(read.Diagnostic.Errors);
        var errors = read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Contains("/api/v1/stores/{storeId}/escrow/contracts", read.Document!.Paths!.Keys);
    }

    /// <summary>What BTCPay's <c>JObject.Merge</c> does with its fragments: objects merged key by key, arrays concatenated, other values replaced.</summary>
    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (target[key] is JsonObject existing && value is JsonObject incoming)
                Merge(existing, incoming);
            else if (target[key] is JsonArray list && value is JsonArray more)
                foreach (var item in more)
                    list.Add(item?.DeepClone());
            else
                target[key] = value?.DeepClone();
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var descendant in Descendants(child))
                yield return descendant;
    }
}
