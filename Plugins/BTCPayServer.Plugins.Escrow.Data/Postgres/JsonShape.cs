using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.Json;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// A JSON list column of the contract row (a complex collection mapped with <c>ToJson</c>), read and written by hand
/// with EF Core's metadata: the JSON property names EF uses, and each value through EF's own JSON reader/writer for
/// that property (converters, dates, enums as EF writes them), so the column holds what EF would store.
/// </summary>
/// <remarks>
/// The text is written as PostgreSQL prints a <c>jsonb</c> value (keys shortest first then in byte order, ", " and ": "
/// between items), so a list that did not change compares equal, as a string, to the column as it was read, and is not
/// written again. A value printed some other way (an escape PostgreSQL writes differently) only costs a write.
/// </remarks>
internal sealed class JsonShape
{
    private static readonly JsonWriterOptions ValueOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Type _listType;
    private readonly Func<object> _create;
    private readonly IReadOnlyList<Field> _fields;
    private readonly Dictionary<string, Field> _byName;

    public JsonShape(IComplexProperty collection)
    {
        _listType = collection.ClrType;
        _create = Construction.Of(collection.ComplexType);
        var fields = new List<Field>();
        foreach (var property in collection.ComplexType.GetProperties())
        {
            var readerWriter = property.GetJsonValueReaderWriter() ?? property.GetTypeMapping().JsonValueReaderWriter
                ?? throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} has no JSON reader/writer.");
            fields.Add(new Field(property.GetJsonPropertyName()!, MemberAccess.Of(property), readerWriter, null, null));
        }
        foreach (var complex in collection.ComplexType.GetComplexProperties())
        {
            var name = complex.GetJsonPropertyName()!;
            // A nested list, or a single nested object (Money inside a milestone): the same fields either way.
            fields.Add(complex.IsCollection
                ? new Field(name, MemberAccess.Of(complex), null, new JsonShape(complex), null)
                : new Field(name, MemberAccess.Of(complex), null, null, new JsonShape(complex)));
        }
        // PostgreSQL's jsonb order: shorter keys first, then byte order.
        _fields = fields.OrderBy(f => Encoding.UTF8.GetByteCount(f.Name)).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        _byName = _fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>Makes the list (a new <c>List&lt;T&gt;</c> of the domain's items) from the column's text, in one pass over it.</summary>
    public IList Read(string json)
    {
        var reader = new Utf8JsonReaderManager(new JsonReaderData(Encoding.UTF8.GetBytes(json)), null);
        reader.MoveNext();
        return ReadList(ref reader);
    }

    public string Write(IList list)
    {
        var text = new StringBuilder(256);
        using var buffer = new ValueWriter();
        WriteList(text, list, buffer);
        return text.ToString();
    }

    /// <summary>From the list's opening bracket (the current token) to its closing one.</summary>
    private IList ReadList(ref Utf8JsonReaderManager reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var list = (IList)Activator.CreateInstance(_listType)!;
        while (reader.MoveNext() != JsonTokenType.EndArray)
            list.Add(ReadObject(ref reader));
        return list;
    }

    /// <summary>
    /// From the object's opening brace (the current token) to its closing one. Each value goes through EF's reader for
    /// its property, which starts on the value's first token and leaves the reader on its last, as EF's own shaper does.
    /// </summary>
    private object ReadObject(ref Utf8JsonReaderManager reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var instance = _create();
        while (reader.MoveNext() != JsonTokenType.EndObject)
        {
            var name = reader.CurrentReader.GetString()!;
            var token = reader.MoveNext();
            // A key the model no longer has is skipped, as EF skips it; a field the row lacks keeps its default.
            if (!_byName.TryGetValue(name, out var field))
            {
                reader.Skip();
                continue;
            }
            field.Access.Set(instance, token == JsonTokenType.Null ? null
                : field.Value is { } readerWriter ? readerWriter.FromJson(ref reader)
                : field.List is { } list ? list.ReadList(ref reader)
                : field.Object!.ReadObject(ref reader));
        }
        return instance;
    }

    private static void Expect(ref Utf8JsonReaderManager reader, JsonTokenType expected)
    {
        if (reader.CurrentReader.TokenType != expected)
            throw new JsonException($"Expected {expected} in a stored contract list, found {reader.CurrentReader.TokenType}.");
    }

    private void WriteList(StringBuilder text, IList list, ValueWriter buffer)
    {
        text.Append('[');
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
                text.Append(", ");
            WriteObject(text, list[i]!, buffer);
        }
        text.Append(']');
    }

    private void WriteObject(StringBuilder text, object instance, ValueWriter buffer)
    {
        text.Append('{');
        for (var i = 0; i < _fields.Count; i++)
        {
            var field = _fields[i];
            if (i > 0)
                text.Append(", ");
            text.Append('"').Append(field.Name).Append("\": ");
            var value = field.Access.Get(instance);
            if (value is null)
                text.Append("null");
            else if (field.Value is { } readerWriter)
                buffer.Write(text, readerWriter, value);
            else if (field.List is { } list)
                list.WriteList(text, (IList)value, buffer);
            else
                field.Object!.WriteObject(text, value, buffer);
        }
        text.Append('}');
    }

    private sealed record Field(string Name, MemberAccess Access, JsonValueReaderWriter? Value, JsonShape? List, JsonShape? Object);

    /// <summary>One scalar value through EF's writer, its UTF-8 text appended.</summary>
    private sealed class ValueWriter : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(64);
        private readonly Utf8JsonWriter _writer;

        public ValueWriter() => _writer = new Utf8JsonWriter(_bytes, ValueOptions);

        public void Write(StringBuilder text, JsonValueReaderWriter readerWriter, object value)
        {
            readerWriter.ToJson(_writer, value);
            _writer.Flush();
            var written = _bytes.WrittenSpan;
            if (written.Length > 0 && written[0] is (byte)'[' or (byte)'{')
            {
                // A primitive collection (a milestone's links): EF writes it compactly; jsonb prints ", " between items.
                using var document = JsonDocument.Parse(_bytes.WrittenMemory);
                Canonical(text, document.RootElement);
            }
            else
            {
                text.Append(Encoding.UTF8.GetString(written));
            }
            _bytes.ResetWrittenCount();
            _writer.Reset(_bytes);
        }

        private static void Canonical(StringBuilder text, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Array:
                    text.Append('[');
                    var first = true;
                    foreach (var item in element.EnumerateArray())
                    {
                        text.Append(first ? "" : ", ");
                        first = false;
                        Canonical(text, item);
                    }
                    text.Append(']');
                    break;
                case JsonValueKind.Object:
                    text.Append('{');
                    var properties = element.EnumerateObject()
                        .OrderBy(p => Encoding.UTF8.GetByteCount(p.Name)).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
                    for (var i = 0; i < properties.Count; i++)
                    {
                        text.Append(i > 0 ? ", " : "").Append(JsonSerializer.Serialize(properties[i].Name, Relaxed)).Append(": ");
                        Canonical(text, properties[i].Value);
                    }
                    text.Append('}');
                    break;
                default:
                    text.Append(element.GetRawText());
                    break;
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}
