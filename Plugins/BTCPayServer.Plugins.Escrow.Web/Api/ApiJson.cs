using System.Text.Json;
using System.Text.Json.Serialization;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// The API's JSON, in BTCPay's Greenfield style: camelCase names, enum values as their names, amounts as strings,
/// times as Unix seconds (in the models). Strict on input: unknown fields, numbers in quotes and enum numbers are
/// refused. The API reads and writes with these options itself, whatever JSON the host's MVC is set up with (BTCPay's
/// is Newtonsoft).
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the API's settings to <paramref name="options"/> (also what the OpenAPI generator describes).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.MaxDepth = 16;
        // Answers are application/json, never HTML: apostrophes and angle brackets stay readable.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        return options;
    }
}
