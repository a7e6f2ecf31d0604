using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using Json.Schema;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// The committed OpenAPI document (Web/openapi/escrow.json) as JSON Schemas: every answer the API tests receive is
/// validated against the schema the document gives for its route, method and status; an answer the document does not
/// describe fails the test.
/// </summary>
public static class ApiSchemas
{
    public static readonly string DocumentPath = Path.Combine(HostBuild.RepositoryRoot(), "Plugins", "BTCPayServer.Plugins.Escrow.Web", "openapi", "escrow.json");

    private static readonly Lazy<JsonObject> Document = new(() => (JsonObject)JsonNode.Parse(File.ReadAllText(DocumentPath))!);
    private static readonly ConcurrentDictionary<string, JsonSchema> Cache = new();

    public static JsonObject Committed => Document.Value;

    public static void Validate(string method, string path, ApiAnswer answer)
    {
        var (template, operation) = Operation(method, path.Split('?')[0]);
        var status = ((int)answer.Status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]?[status] is not JsonObject response)
            throw new Xunit.Sdk.XunitException($"{method} {template} answered {status}, which the OpenAPI document does not list: {answer.Body}");
        if (response["content"]?["application/json"]?["schema"] is not JsonNode schema)
        {
            Assert.True(answer.Body.Length == 0, $"{method} {template} {status}: the document gives no body, but one came: {answer.Body}");
            return;
        }
        var results = SchemaOf(schema).Evaluate(JsonDocument.Parse(answer.Body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
            throw new Xunit.Sdk.XunitException($"{method} {template} {status}: the answer does not match its schema in the OpenAPI document:\n"
                + string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}"))
                + "\n" + answer.Body);
    }

    /// <summary>Checks a value (an example) against a schema of the document.</summary>
    public static IReadOnlyList<string> Problems(JsonNode schema, JsonNode? value)
    {
        var results = SchemaOf(schema).Evaluate(JsonDocument.Parse(value?.ToJsonString() ?? "null").RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid ? [] : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}").ToList();
    }

    public static (string Template, JsonObject Operation) Operation(string method, string path)
    {
        foreach (var (template, item) in Committed["paths"]!.AsObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$";
            if (Regex.IsMatch(path, pattern) && item?[method.ToLowerInvariant()] is JsonObject operation)
                return (template, operation);
        }
        throw new Xunit.Sdk.XunitException($"{method} {path} is not in the OpenAPI document.");
    }

    /// <summary>The schema with the document's component schemas as its definitions.</summary>
    private static JsonSchema SchemaOf(JsonNode schema) => Cache.GetOrAdd(schema.ToJsonString(), text =>
    {
        var root = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema" };
        foreach (var (name, value) in JsonNode.Parse(text)!.AsObject())
            root[name] = value?.DeepClone();
        root["$defs"] = Committed["components"]?["schemas"]?.DeepClone();
        return JsonSchema.FromText(root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
    });
}
