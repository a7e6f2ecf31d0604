using System.Collections;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// One table of the model as an ordered list of columns, read into objects and written from them by hand, through
/// EF Core's own metadata: the same column names, value converters, shadow columns and JSON shapes as EF's mapping, so
/// the rows are the ones EF reads and writes. The payment-event path uses it instead of EF's change tracker, query and
/// update pipelines (about 60 % of that path's CPU). Values are compared and stored as the provider sees them (after
/// converters), so a column is written exactly when its stored value changes.
/// </summary>
internal sealed class TableShape
{
    private readonly List<Column> _columns = [];
    private readonly Node _root;
    private readonly StoreObjectIdentifier _table;

    public TableShape(IEntityType entity)
    {
        EntityType = entity;
        Schema = Quote(entity.GetSchema()!);
        Table = $"{Schema}.{Quote(entity.GetTableName()!)}";
        _table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _root = Walk(entity, entity.ClrType);
        SelectList = string.Join(", ", _columns.Select(c => c.Sql));
        var key = entity.FindPrimaryKey()!.Properties;
        Key = key.Count == 1 ? ColumnOf(key[0]) : null;
        RowVersion = _columns.FirstOrDefault(c => c.Property is { ValueGenerated: ValueGenerated.OnAddOrUpdate, IsConcurrencyToken: true });
        Written = _columns.Where(c => c != RowVersion).ToList();
        _insertRows = Enumerable.Range(1, MaxRowsPerInsert).Select(rows =>
            $"INSERT INTO {Table} ({string.Join(", ", Written.Select(c => c.Sql))}) VALUES " +
            string.Join(", ", Enumerable.Range(0, rows).Select(r => $"({string.Join(", ", Written.Select((_, i) => $"${r * Written.Count + i + 1}"))})"))).ToArray();
        InsertSql = _insertRows[0];
        InsertReturningSql = RowVersion is null ? InsertSql : $"{InsertSql} RETURNING {RowVersion.Sql}";
    }

    /// <summary>The most rows one insert statement writes (<see cref="InsertRowsSql"/>).</summary>
    public const int MaxRowsPerInsert = 8;

    private readonly string[] _insertRows;

    /// <summary>An insert of every written column, as $1, $2... in <see cref="Written"/> order.</summary>
    public string InsertSql { get; }

    /// <summary>An insert of 1 to <see cref="MaxRowsPerInsert"/> rows, each row's written columns in turn.</summary>
    public string InsertRowsSql(int rows) => _insertRows[rows - 1];

    /// <summary>The insert answering the new row's version.</summary>
    public string InsertReturningSql { get; }

    public IEntityType EntityType { get; }

    /// <summary>The schema, quoted.</summary>
    public string Schema { get; }

    /// <summary>Schema and table, quoted.</summary>
    public string Table { get; }

    /// <summary>Every column, quoted, in <see cref="Columns"/> order.</summary>
    public string SelectList { get; }

    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>Every column an insert or update writes (all but the row version, which the server keeps).</summary>
    public IReadOnlyList<Column> Written { get; }

    /// <summary>The key column rows are updated and deleted by (none for a composite key: such rows are only inserted).</summary>
    public Column? Key { get; }

    /// <summary>PostgreSQL's <c>xmin</c>, when the entity has it as its concurrency token.</summary>
    public Column? RowVersion { get; }

    public Column ColumnOf(IProperty property) => _columns.Single(c => c.Property == property);

    /// <summary>The quoted column of a (non-shadow or shadow) property of the entity itself.</summary>
    public string Sql(string propertyName) => ColumnOf(EntityType.FindProperty(propertyName)!).Sql;

    /// <summary>
    /// Makes one object from the reader's current row (columns in <see cref="Columns"/> order from <paramref name="first"/>)
    /// and answers the row's stored values, by column index, for the later comparison.
    /// </summary>
    public object Read(NpgsqlDataReader reader, int first, object?[] stored)
    {
        for (var i = 0; i < _columns.Count; i++)
            stored[i] = _columns[i].ReadStored(reader, first + i);
        return _root.Materialize(stored);
    }

    /// <summary>
    /// The values an object's row has now, by column index, as the provider stores them. Shadow columns are asked of
    /// <paramref name="shadow"/> (by property name); the row version is left null.
    /// </summary>
    public object?[] Values(object entity, Func<string, object?> shadow)
    {
        var values = new object?[_columns.Count];
        _root.Collect(entity, values, shadow);
        return values;
    }

    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private Node Walk(ITypeBase type, Type clrType)
    {
        var node = new Node(Construction.Of(type));
        foreach (var property in type.GetProperties())
        {
            var column = new Column(_columns.Count, property, null, _table);
            _columns.Add(column);
            node.Members.Add(new Member(property, column, null));
        }
        foreach (var complex in type.GetComplexProperties())
        {
            if (complex.IsCollection)
            {
                var column = new Column(_columns.Count, null, complex, _table);
                _columns.Add(column);
                node.Members.Add(new Member(complex, column, null));
            }
            else
            {
                if (complex.IsNullable)
                    throw new NotSupportedException($"{complex.Name}: an optional complex property in table columns is not mapped by hand.");
                node.Members.Add(new Member(complex, null, Walk(complex.ComplexType, complex.ComplexType.ClrType)));
            }
        }
        return node;
    }

    /// <summary>One stored column: a scalar property (converted as EF converts it), or a JSON list (see <see cref="JsonShape"/>).</summary>
    internal sealed class Column
    {
        private readonly Func<NpgsqlDataReader, int, object> _read;
        private readonly Func<object?, object?>? _toProvider;
        private readonly Func<object?, object?>? _fromProvider;

        public Column(int index, IProperty? property, IComplexProperty? json, StoreObjectIdentifier table)
        {
            Index = index;
            Property = property;
            if (property is not null)
            {
                // A complex value's columns are named after their path (Fee_FixedPerMilestone_Amount) in the table.
                Name = property.GetColumnName(table) ?? throw new InvalidOperationException($"{property.Name} has no column in {table.DisplayName()}.");
                var mapping = property.GetRelationalTypeMapping();
                var converter = mapping.Converter;
                _toProvider = converter?.ConvertToProvider;
                _fromProvider = converter?.ConvertFromProvider;
                var provider = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? mapping.ClrType) ?? converter?.ProviderClrType ?? mapping.ClrType;
                _read = Reader(provider);
                // Npgsql infers every other column's type from the value (text goes into varchar as it is).
                DbType = mapping.StoreType switch { "xid" => NpgsqlDbType.Xid, "jsonb" => NpgsqlDbType.Jsonb, _ => null };
            }
            else
            {
                Json = new JsonShape(json!);
                Name = json!.ComplexType.GetContainerColumnName()!;
                _read = Reader(typeof(string));
                DbType = NpgsqlDbType.Jsonb;
            }
            Sql = Quote(Name);
        }

        public int Index { get; }
        public string Name { get; }
        public string Sql { get; }
        public IProperty? Property { get; }
        public JsonShape? Json { get; }
        private NpgsqlDbType? DbType { get; }

        public object? ReadStored(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : _read(reader, ordinal);

        public object? FromStored(object? stored) => stored is null ? null : Json is not null ? Json.Read((string)stored) : _fromProvider is null ? stored : _fromProvider(stored);

        public object? ToStored(object? value) => value is null ? null : Json is not null ? Json.Write((IList)value) : _toProvider is null ? value : _toProvider(value);

        public NpgsqlParameter Parameter(object? stored) => DbType is { } type
            ? new NpgsqlParameter { NpgsqlDbType = type, Value = stored ?? DBNull.Value }
            : new NpgsqlParameter { Value = stored ?? DBNull.Value };

        /// <summary>Whether two stored values are the same (arrays element by element).</summary>
        public static bool Same(object? a, object? b) => a is IList x && b is IList y
            ? x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => Equals(x[i], y[i]))
            : Equals(a, b);

        /// <summary>
        /// A stored value the object and the row as stored never share: an array column (a List&lt;Guid&gt;) is copied,
        /// so a change made to the object's list in place still differs from the row as loaded.
        /// </summary>
        public static object? Keep(object? stored) => stored switch
        {
            Array array => array.Clone(),
            IList list when list.GetType().IsGenericType => Activator.CreateInstance(list.GetType(), list),
            _ => stored,
        };

        private static Func<NpgsqlDataReader, int, object> Reader(Type type) =>
            (Func<NpgsqlDataReader, int, object>)typeof(Column).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type).CreateDelegate(typeof(Func<NpgsqlDataReader, int, object>));

        private static object ReadAs<T>(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal)!;
    }

    /// <summary>An object (the entity, or a complex value inside it) and the members its columns fill.</summary>
    private sealed class Node(Func<object> create)
    {
        public List<Member> Members { get; } = [];

        public object Materialize(object?[] stored)
        {
            var instance = create();
            foreach (var member in Members)
            {
                if (member.Column is { Property: { } p } && p.IsShadowProperty())
                    continue;
                member.Set(instance, member.Nested is { } nested ? nested.Materialize(stored) : member.Column!.FromStored(Column.Keep(stored[member.Column.Index])));
            }
            return instance;
        }

        public void Collect(object instance, object?[] values, Func<string, object?> shadow)
        {
            foreach (var member in Members)
            {
                if (member.Nested is { } nested)
                    nested.Collect(member.Get(instance)!, values, shadow);
                else if (member.Column!.Property is { } p && p.IsShadowProperty())
                    values[member.Column.Index] = p.ValueGenerated == ValueGenerated.OnAddOrUpdate ? null : shadow(p.Name);
                else
                    values[member.Column.Index] = Column.Keep(member.Column.ToStored(member.Get(instance)));
            }
        }
    }

    private sealed class Member(IPropertyBase property, Column? column, Node? nested)
    {
        // Shadow columns (row version, positions, summary figures) have no member: their values come from elsewhere.
        private readonly MemberAccess? _access = property is IProperty p && p.IsShadowProperty() ? null : MemberAccess.Of(property);

        public Column? Column { get; } = column;
        public Node? Nested { get; } = nested;

        public object? Get(object instance) => _access!.Get(instance);
        public void Set(object instance, object? value) => _access!.Set(instance, value);
    }
}

/// <summary>
/// Reads and writes a property's value the way EF does: through its backing field when it has one (EF's default
/// access mode), else through the property. Works on boxed structs too (a complex value such as Money).
/// </summary>
internal sealed class MemberAccess
{
    private readonly FieldInfo? _field;
    private readonly PropertyInfo? _property;

    private MemberAccess(FieldInfo? field, PropertyInfo? property)
    {
        _field = field;
        _property = property;
    }

    public static MemberAccess Of(IPropertyBase property) =>
        property.FieldInfo is null && property.PropertyInfo is null
            ? throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} has no field or property to read.")
            : new MemberAccess(property.FieldInfo, property.PropertyInfo);

    public object? Get(object instance) => _field is not null ? _field.GetValue(instance) : _property!.GetValue(instance);

    public void Set(object instance, object? value)
    {
        if (_field is not null)
            _field.SetValue(instance, value);
        else
            _property!.SetValue(instance, value);
    }
}

/// <summary>
/// Makes an empty object of a mapped type for its members to be set: through its parameterless constructor (private
/// ones too, as the domain's are), else (a value built by a constructor with arguments, such as Party) without running
/// any constructor, which is only allowed when every field of the type is one the mapping sets.
/// </summary>
internal static class Construction
{
    public static Func<object> Of(ITypeBase type)
    {
        var clrType = type.ClrType;
        if (clrType.IsValueType || clrType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is not null)
            return () => Activator.CreateInstance(clrType, nonPublic: true)!;
        var mapped = type.GetProperties().Cast<IPropertyBase>().Concat(type.GetComplexProperties()).Select(p => p.FieldInfo).ToHashSet();
        var unmapped = Fields(clrType).Where(f => !mapped.Contains(f)).Select(f => f.Name).ToList();
        if (unmapped.Count > 0)
            throw new NotSupportedException($"{clrType.Name} has no parameterless constructor and fields the mapping does not set ({string.Join(", ", unmapped)}).");
        return () => System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(clrType);
    }

    private static IEnumerable<FieldInfo> Fields(Type? type)
    {
        for (; type is not null && type != typeof(object); type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
    }
}
