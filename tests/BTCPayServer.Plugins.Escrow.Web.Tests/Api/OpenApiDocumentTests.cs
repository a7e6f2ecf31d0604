using System.Text.Json;
using System.Text.Json.Nodes;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>
/// The committed OpenAPI document is the one the code generates, and it documents every route fully: a summary, the
/// request's and each answer's schema, and an example of each that matches its schema.
/// </summary>
public sealed class OpenApiDocumentTests(ApiApp app) : IClassFixture<ApiApp>
{
    public const string UpdateVariable = "ESCROW_UPDATE_OPENAPI";

    [Fact]
    public async Task The_committed_document_is_the_one_the_code_generates()
    {
        var generated = Normalize(await app.Factory.CreateClient().GetStringAsync("/openapi/escrow.json"));
        var committed = File.Exists(ApiSchemas.DocumentPath) ? Normalize(await File.ReadAllTextAsync(ApiSchemas.DocumentPath)) : "";
        if (generated == committed)
            return;
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(ApiSchemas.DocumentPath, generated);
            return;
        }
        var (a, b) = (committed.Split('\n'), generated.Split('\n'));
        var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
        Assert.Fail($"Plugins/BTCPayServer.Plugins.Escrow.Web/openapi/escrow.json differs from what the code generates (line {line + 1}: "
            + $"committed \"{(line < a.Length ? a[line].Trim() : "")}\", generated \"{(line < b.Length ? b[line].Trim() : "")}\"). Regenerate it with\n"
            + $"  {UpdateVariable}=1 dotnet test tests/BTCPayServer.Plugins.Escrow.Web.Tests --filter FullyQualifiedName~OpenApiDocumentTests\nand commit the result.");
    }

    [Fact]
    public void Every_route_has_a_summary_schemas_and_examples_that_match_them()
    {
        var problems = new List<string>();
        var operations = 0;
        foreach (var (path, item) in ApiSchemas.Committed["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                operations++;
                var name = $"{method.ToUpperInvariant()} {path}";
                var operation = node!.AsObject();
                if (string.IsNullOrWhiteSpace((string?)operation["summary"]))
                    problems.Add($"{name}: no summary");
                if (operation["requestBody"]?["content"]?["application/json"] is JsonObject request)
                    Check(name + " request", request);
                else if (method is "put")
                    problems.Add($"{name}: no request body");
                if (operation["responses"]?["200"]?["content"]?["application/json"] is null)
                    problems.Add($"{name}: no 200 answer with a schema");
                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    if (response?["content"]?["application/json"] is JsonObject media)
                        Check($"{name} {status}", media);
                }
            }
        }
        Assert.True(operations >= 20, $"Only {operations} operations are documented.");
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        void Check(string name, JsonObject media)
        {
            if (media["schema"] is not JsonNode schema)
                problems.Add($"{name}: no schema");
            else if (!media.ContainsKey("example"))
                problems.Add($"{name}: no example");
            else
                problems.AddRange(ApiSchemas.Problems(schema, media["example"]).Select(p => $"{name}: the example does not match its schema: {p}"));
        }
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Replace("\r\n", "\n") + "\n";
}
