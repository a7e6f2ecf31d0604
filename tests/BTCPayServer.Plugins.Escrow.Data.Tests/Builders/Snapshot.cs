using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Builders;

/// <summary>
/// Every public value of a contract, its lists in order and every computed view (ledger, latest terms...), as JSON.
/// Two contracts with the same snapshot are the same as far as anyone using the domain can tell.
/// </summary>
internal static class Snapshot
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new ScaleFreeDecimal() },
    };

    public static string Of(Contract contract) => JsonSerializer.Serialize(contract, Options);

    /// <summary>1.5 and 1.50000000 are the same amount; a numeric(28,8) column returns the second. Compare values, not scale.</summary>
    private sealed class ScaleFreeDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("0.############################", CultureInfo.InvariantCulture));
    }
}
