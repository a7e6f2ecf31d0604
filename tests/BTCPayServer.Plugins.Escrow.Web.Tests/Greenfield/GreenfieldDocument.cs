using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>
/// BTCPay's own description of Greenfield (the OpenAPI fragments in OpenApi/, merged as BTCPay merges them): checks
/// that a request is a documented operation whose body matches its schema, and builds objects from the documented examples.
/// </summary>
public sealed class GreenfieldDocument
{
    private static readonly Uri Base = new("https://btcpay.test/greenfield");
    private static readonly Lazy<GreenfieldDocument> Loaded = new(() => new GreenfieldDocument());

    private readonly JsonObject _document = new() { ["paths"] = new JsonObject(), ["components"] = new JsonObject() };
    private readonly List<(Regex Path, string Template, JsonObject Operations)> _paths = [];
    private readonly EvaluationOptions _options = new() { OutputFormat = OutputFormat.List };

    public static GreenfieldDocument Instance => Loaded.Value;

    private GreenfieldDocument()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Greenfield", "OpenApi"), "*.json"))
        {
            // Every $ref names the merged document, so a schema taken out of it still finds what it points at.
            var fragment = JsonNode.Parse(File.ReadAllText(file).Replace("\"#/components/", $"\"{Base}#/components/"))!.AsObject();
            foreach (var (path, operations) in fragment["paths"]?.AsObject() ?? [])
                _document["paths"]![path] = operations!.DeepClone();
            foreach (var (section, entries) in fragment["components"]?.AsObject() ?? [])
            {
                var merged = _document["components"]![section] as JsonObject ?? (JsonObject)(_document["components"]![section] = new JsonObject());
                foreach (var (name, value) in entries!.AsObject())
                    merged[name] = value!.DeepClone();
            }
        }
        FlattenAllOf(_document);
        foreach (var (template, operations) in _document["paths"]!.AsObject())
            _paths.Add((new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$"), template, operations!.AsObject()));
        _options.SchemaRegistry.Register(new JsonNodeBaseDocument(_document, Base));
    }

    /// <summary>
    /// BTCPay writes extensions as <c>allOf</c> of a closed base (<c>additionalProperties: false</c>) and more properties,
    /// meaning "these properties together", as OpenAPI tools read it. JSON Schema would refuse every extra property, so
    /// each <c>allOf</c> becomes one object schema with the union of its members' properties, closed if any member was.
    /// </summary>
    private void FlattenAllOf(JsonNode? node, int depth = 0)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonObject { } child && child["allOf"] is JsonArray && depth < 64 && Merged(child, 0) is var merged && !ReferenceEquals(merged, child))
                        obj[key] = merged;
                    FlattenAllOf(obj[key], depth + 1);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonObject { } child && child["allOf"] is JsonArray && Merged(child, 0) is var merged && !ReferenceEquals(merged, child))
                        array[i] = merged;
                    FlattenAllOf(array[i], depth + 1);
                }
                break;
        }
    }

    private JsonObject Merged(JsonObject schema, int depth)
    {
        // allOf around a plain value (a timestamp "allOf: [UnixTimestamp]" with its own description) stays as it is.
        if (!schema["allOf"]!.AsArray().Any(m => Resolve(m) is JsonObject part && (part["properties"] is not null || part["allOf"] is not null)))
            return schema;
        var properties = new JsonObject();
        var required = new SortedSet<string>(StringComparer.Ordinal);
        var closed = false;
        IEnumerable<JsonNode?> members = [.. schema["allOf"]!.AsArray(), schema];
        foreach (var member in members)
        {
            if (Resolve(member) is not JsonObject part)
                continue;
            if (!ReferenceEquals(part, schema) && part["allOf"] is JsonArray && depth < 8)
                part = Merged(part, depth + 1);
            foreach (var (name, property) in part["properties"] as JsonObject ?? [])
                properties[name] = property?.DeepClone();
            foreach (var name in part["required"] as JsonArray ?? [])
                required.Add((string)name!);
            closed |= part["additionalProperties"] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.False;
        }
        var merged = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
            merged["required"] = new JsonArray(required.Select(r => (JsonNode?)r).ToArray());
        if (closed)
            merged["additionalProperties"] = false;
        return merged;
    }

    /// <summary>What is wrong with a request to BTCPay (null: a documented operation, documented query parameters, a valid body).</summary>
    public string? Check(string method, string path, IEnumerable<string> queryNames, string? body)
    {
        var candidates = _paths.Where(p => p.Path.IsMatch(path)).OrderBy(p => p.Template.Count(c => c == '{')).ToList();
        var match = candidates.FirstOrDefault(p => p.Operations[method.ToLowerInvariant()] is not null);
        if (match.Operations is null)
            return $"{method} {path} is no operation of BTCPay's Greenfield API";
        var operation = match.Operations[method.ToLowerInvariant()]!;
        var parameters = (operation["parameters"] as JsonArray ?? []).Select(p => (string?)Resolve(p)?["name"]).ToHashSet();
        if (queryNames.FirstOrDefault(q => !parameters.Contains(q)) is { } unknown)
            return $"{method} {match.Template}: query parameter {unknown} is not documented";
        if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
            return string.IsNullOrEmpty(body) ? null : $"{method} {match.Template} takes no body";
        return Validate(schema, JsonNode.Parse(body ?? "null"), $"{method} {match.Template}");
    }

    /// <summary>Null when <paramref name="instance"/> is valid against the named component schema.</summary>
    public string? CheckSchema(string schemaName, JsonNode instance) =>
        Validate(new JsonObject { ["$ref"] = $"{Base}#/components/schemas/{schemaName}" }, instance, schemaName);

    /// <summary>The request body schema of a webhook delivery (<c>x-webhooks</c>).</summary>
    public JsonNode WebhookSchema(string type) => Webhooks[type]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

    private JsonObject Webhooks => _webhooks ??= LoadWebhooks();
    private JsonObject? _webhooks;

    private JsonObject LoadWebhooks()
    {
        var webhooks = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Greenfield", "OpenApi", "swagger.template.webhooks.json"))
            .Replace("\"#/components/", $"\"{Base}#/components/"))!["x-webhooks"]!.AsObject();
        FlattenAllOf(webhooks);
        return webhooks;
    }

    public string? CheckWebhook(string type, JsonNode payload) => Validate(WebhookSchema(type), payload, $"webhook {type}");

    private string? Validate(JsonNode schema, JsonNode? instance, string what)
    {
        var results = JsonSchema.FromText(schema.ToJsonString()).Evaluate(instance, _options);
        if (results.IsValid)
            return null;
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        return $"{what}: {string.Join("; ", errors)}";
    }

    /// <summary>An object made of the examples the document gives for a schema's properties (arrays get one example item).</summary>
    public JsonObject Example(string schemaName) => (JsonObject)ExampleOf(new JsonObject { ["$ref"] = $"{Base}#/components/schemas/{schemaName}" }, 0)!;

    /// <summary>An example built from an inline schema (webhook payloads).</summary>
    public JsonObject ExampleOfWebhook(string type) => (JsonObject)ExampleOf(WebhookSchema(type), 0)!;

    private JsonNode? ExampleOf(JsonNode? schema, int depth)
    {
        schema = Resolve(schema);
        if (schema is null || depth > 8)
            return null;
        if (schema["example"] is { } example && schema["properties"] is null && schema["allOf"] is null)
            return example.DeepClone();
        if (schema["allOf"] is JsonArray parts)
        {
            var merged = new JsonObject();
            foreach (var part in parts)
                if (ExampleOf(part, depth + 1) is JsonObject piece)
                    foreach (var (key, value) in piece)
                        merged[key] = value?.DeepClone();
            return merged;
        }
        if (schema["properties"] is JsonObject properties)
        {
            var obj = new JsonObject();
            foreach (var (name, property) in properties)
                if (ExampleOf(property, depth + 1) is { } value)
                    obj[name] = value;
            return obj;
        }
        if ((string?)schema["type"] == "array")
            return ExampleOf(schema["items"], depth + 1) is { } item ? new JsonArray(item) : new JsonArray();
        if (schema["enum"] is JsonArray values)
            return values[0]?.DeepClone();
        return null;
    }

    private JsonNode? Resolve(JsonNode? node)
    {
        while ((string?)node?["$ref"] is { } reference && reference.StartsWith(Base + "#/", StringComparison.Ordinal))
        {
            var target = (JsonNode?)_document;
            foreach (var segment in reference[(Base + "#/").Length..].Split('/'))
                target = target?[segment];
            node = target;
        }
        return node;
    }
}
