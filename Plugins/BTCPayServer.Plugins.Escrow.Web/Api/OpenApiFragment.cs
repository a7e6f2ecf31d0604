using System.Text.Json;
using System.Text.Json.Nodes;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// The escrow's OpenAPI document (generated from the code, OpenAPI 3.1, embedded in this library) as a fragment of
/// BTCPay's own <c>/swagger/v1/swagger.json</c>, which is OpenAPI 3.0 and merges every fragment into one object:
/// <list type="bullet">
/// <item>only <c>paths</c>, <c>tags</c> and <c>components.schemas</c> are given; operations name BTCPay's own
/// <c>API_Key</c> security scheme (the same name as the standalone host's), so BTCPay's description of it is kept;</item>
/// <item>schema names get the prefix <c>Escrow</c>, so no other fragment's schema of the same name is overwritten;</item>
/// <item>3.1's nullable forms (<c>"type": ["null", "string"]</c>, <c>oneOf</c> with <c>{"type": "null"}</c>) become
/// 3.0's <c>nullable: true</c>, and enums of names get <c>"type": "string"</c>.</item>
/// </list>
/// </summary>
public static class OpenApiFragment
{
    public const string ResourceName = "BTCPayServer.Plugins.Escrow.Web.openapi.escrow.json";
    public const string SchemaPrefix = "Escrow";
    private const string SchemaRefPrefix = "#/components/schemas/";

    /// <summary>The embedded document, as committed.</summary>
    public static string Document()
    {
        using var stream = typeof(OpenApiFragment).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the Web library.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The fragment for BTCPay's document, as JSON text.</summary>
    public static string ForBtcPay() => ForBtcPay(Document());

    public static string ForBtcPay(string document)
    {
        var source = JsonNode.Parse(document)?.AsObject() ?? throw new JsonException("The OpenAPI document is empty.");
        var schemas = new JsonObject();
        if (source["components"]?["schemas"] is JsonObject sourceSchemas)
            foreach (var (name, schema) in sourceSchemas)
                schemas[Prefixed(name)] = Convert(schema);
        var fragment = new JsonObject
        {
            ["paths"] = Convert(source["paths"]) ?? new JsonObject(),
            ["tags"] = Convert(source["tags"]) ?? new JsonArray(),
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
        return fragment.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Prefixed(string name) => name.StartsWith(SchemaPrefix, StringComparison.Ordinal) ? name : SchemaPrefix + name;

    private static JsonNode? Convert(JsonNode? node) => node switch
    {
        JsonObject obj => ConvertObject(obj),
        JsonArray array => new JsonArray([.. array.Select(Convert)]),
        null => null,
        _ => node.DeepClone(),
    };

    private static JsonObject ConvertObject(JsonObject source)
    {
        // { "oneOf": [ { "type": "null" }, X ] } → X's reference wrapped as 3.0 writes a nullable reference.
        if (source["oneOf"] is JsonArray oneOf && oneOf.Count == 2 && oneOf.Any(IsNullType))
        {
            var other = oneOf.First(o => !IsNullType(o));
            var wrapped = new JsonObject();
            foreach (var (key, value) in source)
                if (key != "oneOf")
                    wrapped[key] = Convert(value);
            wrapped["allOf"] = new JsonArray(Convert(other));
            wrapped["nullable"] = true;
            return wrapped;
        }
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key == "$ref" && value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>().StartsWith(SchemaRefPrefix, StringComparison.Ordinal))
                result[key] = SchemaRefPrefix + Prefixed(value.GetValue<string>()[SchemaRefPrefix.Length..]);
            else if (key == "type" && value is JsonArray types)
            {
                var named = types.Select(t => t?.GetValue<string>()).Where(t => t != "null").ToList();
                if (named.Count != 1)
                    throw new JsonException($"OpenAPI 3.0 has no form for the type list [{string.Join(", ", types)}].");
                result[key] = named[0];
                if (named.Count < types.Count)
                    result["nullable"] = true;
            }
            else
                result[key] = Convert(value);
        }
        if (result["enum"] is JsonArray values && result["type"] is null && values.All(v => v?.GetValueKind() == JsonValueKind.String))
            result["type"] = "string";
        return result;
    }

    private static bool IsNullType(JsonNode? node) =>
        node is JsonObject { Count: 1 } obj && obj["type"]?.GetValueKind() == JsonValueKind.String && obj["type"]!.GetValue<string>() == "null";
}
