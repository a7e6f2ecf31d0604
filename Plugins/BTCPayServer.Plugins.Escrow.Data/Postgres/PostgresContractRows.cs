using System.Collections;
using System.Runtime.CompilerServices;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// Loads and saves contract aggregates on PostgreSQL by hand, on the context's own connection: a load is one round trip
/// (the contract rows, their funding invoices and their payout instructions, three statements in one batch), and a save
/// is one batch in one transaction (the contract row's changed columns guarded by its row version, the changed and new
/// child rows, key rows, audit entries). Rows are exactly EF's (see <see cref="TableShape"/>); what changed is found by
/// comparing each row with its values as loaded (or as last saved), column by column.
/// </summary>
/// <remarks>
/// A conflict is what EF reports as one: the row version no longer matches (another writer saved the contract first) or
/// a unique key is taken (an event id, a payout key, an audit sequence). Either rolls the whole save back and becomes a
/// <see cref="ConcurrencyConflictException"/>; a store that failed to save keeps its loaded values, as EF's does.
/// </remarks>
internal sealed class PostgresContractRows
{
    private static readonly ConditionalWeakTable<IModel, Shapes> ShapesOf = new();

    private readonly EscrowDbContext _db;
    private readonly ContractKeys _keys;
    private readonly Shapes _shapes;
    private readonly ILogger _logger;
    private readonly Dictionary<Contract, Loaded> _loaded = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Guid, Contract> _byId = [];

    public PostgresContractRows(EscrowDbContext db, ContractKeys keys)
    {
        _db = db;
        _keys = keys;
        _shapes = ShapesOf.GetValue(db.Model, model => new Shapes(model));
        _logger = (db.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
            .CreateLogger(typeof(PostgresContractRows).FullName!);
    }

    public Owners ById(Guid contractId) => new("$1", contractId);

    public Owners InStore(string storeId, Guid contractId) => new(
        $"SELECT {_shapes.Contract.Key!.Sql} FROM {_shapes.Contract.Table} WHERE {_shapes.Contract.Key.Sql} = $1 AND {_shapes.Contract.Sql(nameof(Contract.StoreId))} = $2",
        contractId, storeId);

    public Owners ByInvoice(string invoiceId) => new(InvoiceOwners("= $1"), invoiceId);

    public Owners ByPullPayment(string pullPaymentId) => new(PullPaymentOwners("= $1"), pullPaymentId);

    public Owners ByPartyTokenHash(string tokenHash) => new(
        $"SELECT {_shapes.Token.Sql(nameof(PartyTokenRow.ContractId))} FROM {_shapes.Token.Table} WHERE {_shapes.Token.Key!.Sql} = $1", tokenHash);

    /// <summary>
    /// The owners of any of the ids as one id set (IN over the keys' indexes): PostgreSQL answers it from the indexes,
    /// where an OR of two correlated subqueries scanned every contract row.
    /// </summary>
    /// <remarks>
    /// Each id is a parameter of its own, and a list is padded (its last id repeated) to the next power of two: so a
    /// batch of any size runs one of a few statement texts, and PostgreSQL keeps one plan for each. With the ids as one
    /// array parameter (<c>= ANY($1)</c>) it planned the three statements again on every batch (its cached plan assumes
    /// ten elements, which looked worse than a plan for the few a batch has; measured with pg_stat_statements: planning
    /// was as long as running them, about 0.09 ms of server CPU per event).
    /// </remarks>
    public Owners ByGatewayIds(IReadOnlyList<string> invoiceIds, IReadOnlyList<string> pullPaymentIds)
    {
        var parts = new List<string>();
        var values = new List<object>();
        if (invoiceIds.Count > 0)
            parts.Add(InvoiceOwners(Padded(invoiceIds, values)));
        if (pullPaymentIds.Count > 0)
            parts.Add(PullPaymentOwners(Padded(pullPaymentIds, values)));
        return new Owners(string.Join(" UNION ", parts), [.. values]);
    }

    /// <summary>"IN ($n, ...)" over the ids, padded to a power of two; the ids are added to <paramref name="values"/>.</summary>
    internal static string Padded(IReadOnlyList<string> ids, List<object> values)
    {
        var count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)ids.Count);
        var placeholders = new string[count];
        for (var i = 0; i < count; i++)
        {
            values.Add(ids[Math.Min(i, ids.Count - 1)]);
            placeholders[i] = $"${values.Count}";
        }
        return $"IN ({string.Join(", ", placeholders)})";
    }

    private string InvoiceOwners(string match) =>
        $"SELECT {_shapes.Invoice.Sql(nameof(FundingInvoice.ContractId))} FROM {_shapes.Invoice.Table} WHERE {_shapes.Invoice.Key!.Sql} {match}";

    private string PullPaymentOwners(string match) =>
        $"SELECT {_shapes.Payout.Sql(nameof(PayoutInstruction.ContractId))} FROM {_shapes.Payout.Table} WHERE {_shapes.Payout.Sql(nameof(PayoutInstruction.PullPaymentId))} {match}";

    /// <summary>Whether this store loaded (or added) the contract.</summary>
    public bool Knows(Contract contract) => _loaded.ContainsKey(contract);

    /// <summary>The contracts whose ids <paramref name="owners"/> selects, whole, ordered by id.</summary>
    public async Task<List<Contract>> LoadAsync(Owners owners, CancellationToken cancellationToken)
    {
        var (contractShape, invoiceShape, payoutShape) = (_shapes.Contract, _shapes.Invoice, _shapes.Payout);
        var connection = await OpenAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection) { Transaction = CurrentTransaction };
            batch.BatchCommands.Add(owners.Command(
                $"SELECT {contractShape.SelectList} FROM {contractShape.Table} WHERE {contractShape.Key!.Sql} IN ({owners.Sql}) ORDER BY {contractShape.Key.Sql}"));
            foreach (var child in new[] { invoiceShape, payoutShape })
            {
                var contractId = child.Sql(nameof(FundingInvoice.ContractId));
                batch.BatchCommands.Add(owners.Command(
                    $"SELECT {child.SelectList} FROM {child.Table} WHERE {contractId} IN ({owners.Sql}) ORDER BY {contractId}, {child.Sql(ValueMapping.Position)}"));
            }
            Log(batch, "Loading contracts");
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var contracts = new List<Contract>();
            var byId = new Dictionary<Guid, Loaded>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[contractShape.Columns.Count];
                var contract = (Contract)contractShape.Read(reader, 0, row);
                // A contract this store already has is answered as that instance, as it is now (EF's identity
                // resolution): two instances of one contract in one unit of work would conflict with each other.
                if (_byId.TryGetValue(contract.Id, out var known))
                {
                    contracts.Add(known);
                    continue;
                }
                _byId[contract.Id] = contract;
                var loaded = new Loaded(row) { Contract = contract };
                contracts.Add(contract);
                byId[contract.Id] = loaded;
                _loaded[contract] = loaded;
            }
            await ReadChildrenAsync(reader, invoiceShape, byId, l => l.Invoices, _shapes.Invoices, cancellationToken);
            await ReadChildrenAsync(reader, payoutShape, byId, l => l.Payouts, _shapes.Payouts, cancellationToken);
            return contracts;
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Writes the contracts (new ones whole; loaded ones: what changed) with their key rows and new audit entries, in
    /// one transaction. Call <see cref="Contract.PrepareSave"/> first.
    /// </summary>
    public async Task SaveAsync(IReadOnlyCollection<Contract> contracts, bool adding, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            // Without a transaction of the caller's, the batch is its own: PostgreSQL runs the statements up to the batch's
            // one Sync as one implicit transaction, and any failure (a key already taken, the guard of a stale row)
            // rolls all of them back. So a save is one round trip, with no BEGIN and COMMIT around it.
            await using var batch = new NpgsqlBatch(connection) { Transaction = CurrentTransaction };
            var owner = new Dictionary<NpgsqlBatchCommand, Contract>();
            var saved = new List<(Contract Contract, Loaded Next)>();
            // The contract rows first, each answering its new row version: their result sets come in this order.
            foreach (var contract in contracts)
            {
                var next = new Loaded(_shapes.Contract.Values(contract, Shadow(ContractSummary.Figures(contract))));
                var command = adding ? Insert(_shapes.Contract, next.Row, returning: true) : GuardedUpdate(_shapes.Contract, next.Row, _loaded[contract].Row);
                batch.BatchCommands.Add(command!);
                owner[command!] = contract;
                saved.Add((contract, next));
            }
            foreach (var (contract, next) in saved)
            {
                var before = adding ? null : _loaded[contract];
                Children(batch, owner, contract, _shapes.Invoice, contract.Invoices, before?.Invoices, next.Invoices);
                Children(batch, owner, contract, _shapes.Payout, contract.Payouts, before?.Payouts, next.Payouts);
                var (events, tokens, removed) = _keys.Changes(contract);
                foreach (var command in InsertRows(_shapes.Event, events))
                    Add(batch, owner, contract, command);
                foreach (var command in InsertRows(_shapes.Token, tokens))
                    Add(batch, owner, contract, command);
                foreach (var hash in removed)
                    Add(batch, owner, contract, Delete(_shapes.Token, hash));
                foreach (var command in InsertRows(_shapes.Audit, contract.UnsavedAuditEntries))
                    Add(batch, owner, contract, command);
            }
            Log(batch, "Saving contracts");
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                foreach (var (_, next) in saved)
                {
                    // An insert or a guarded update answers its row version, or fails (the guard raises on a stale row).
                    if (!await reader.ReadAsync(cancellationToken))
                        throw new InvalidOperationException("A contract row's insert or update answered no row version.");
                    next.Row[_shapes.Contract.RowVersion!.Index] = reader.GetFieldValue<uint>(0);
                    await reader.NextResultAsync(cancellationToken);
                }
                // The rest of the batch: a failed statement (a key already taken) surfaces here.
                while (await reader.NextResultAsync(cancellationToken))
                {
                }
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure)
            {
                throw new ConcurrencyConflictException(e.BatchCommand is { } failed && owner.TryGetValue((NpgsqlBatchCommand)failed, out var c) ? c.Id : contracts.First().Id);
            }
            foreach (var (contract, next) in saved)
            {
                next.Contract = contract;
                _loaded[contract] = next;
                _byId[contract.Id] = contract;
            }
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
        }
    }

    private void Log(NpgsqlBatch batch, string what)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
            _logger.LogDebug(ContractRowsEvents.BatchExecuted, "{What}: {Count} statements in one batch\n{Statements}", what, batch.BatchCommands.Count,
                string.Join(";\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText)));
    }

    private NpgsqlTransaction? CurrentTransaction => (NpgsqlTransaction?)_db.Database.CurrentTransaction?.GetDbTransaction();

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _db.Database.OpenConnectionAsync(cancellationToken);
        return (NpgsqlConnection)_db.Database.GetDbConnection();
    }

    private static async Task ReadChildrenAsync(NpgsqlDataReader reader, TableShape shape, Dictionary<Guid, Loaded> owners,
        Func<Loaded, Dictionary<object, object?[]>> rows, MemberAccess list, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken);
        var contractId = shape.ColumnOf(shape.EntityType.FindProperty(nameof(FundingInvoice.ContractId))!).Index;
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[shape.Columns.Count];
            var child = shape.Read(reader, 0, row);
            if (!owners.TryGetValue((Guid)row[contractId]!, out var loaded))
                continue;
            ((IList)list.Get(loaded.Contract!)!).Add(child);
            rows(loaded)[row[shape.Key!.Index]!] = row;
        }
    }

    /// <summary>Inserts new children, updates changed ones, deletes the rows of children no longer in the list.</summary>
    private static void Children<T>(NpgsqlBatch batch, Dictionary<NpgsqlBatchCommand, Contract> owner, Contract contract, TableShape shape,
        IReadOnlyList<T> items, Dictionary<object, object?[]>? before, Dictionary<object, object?[]> next) where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            var position = i;
            var row = shape.Values(items[i], name => name == ValueMapping.Position ? position : throw UnknownShadow(shape, name));
            var key = row[shape.Key!.Index]!;
            next[key] = row;
            var command = before is not null && before.TryGetValue(key, out var stored) ? Update(shape, row, stored) : Insert(shape, row, returning: false);
            if (command is not null)
                Add(batch, owner, contract, command);
        }
        foreach (var gone in before?.Keys.Where(k => !next.ContainsKey(k)) ?? [])
            Add(batch, owner, contract, Delete(shape, gone));
    }

    private static void Add(NpgsqlBatch batch, Dictionary<NpgsqlBatchCommand, Contract> owner, Contract contract, NpgsqlBatchCommand command)
    {
        batch.BatchCommands.Add(command);
        owner[command] = contract;
    }

    private static NpgsqlBatchCommand Insert(TableShape shape, object?[] row, bool returning)
    {
        var command = new NpgsqlBatchCommand(returning ? shape.InsertReturningSql : shape.InsertSql);
        foreach (var column in shape.Written)
            command.Parameters.Add(column.Parameter(row[column.Index]));
        return command;
    }

    /// <summary>
    /// New rows of one contract's table (its audit entries, its key rows) as few statements: up to
    /// <see cref="TableShape.MaxRowsPerInsert"/> rows each. A payment event writes four audit entries; each statement
    /// costs the server and Npgsql the same again whatever its rows, so they go in one.
    /// </summary>
    private static IEnumerable<NpgsqlBatchCommand> InsertRows<T>(TableShape shape, IEnumerable<T> items) where T : class
    {
        foreach (var chunk in items.Chunk(TableShape.MaxRowsPerInsert))
        {
            var command = new NpgsqlBatchCommand(shape.InsertRowsSql(chunk.Length));
            foreach (var item in chunk)
            {
                var row = shape.Values(item, NoShadow);
                foreach (var column in shape.Written)
                    command.Parameters.Add(column.Parameter(row[column.Index]));
            }
            yield return command;
        }
    }

    /// <summary>The changed columns of a child row, by its key; null when nothing changed.</summary>
    private static NpgsqlBatchCommand? Update(TableShape shape, object?[] row, object?[] stored) =>
        Set(shape, row, stored) is var (command, sets) && sets.Length > 0
            ? command.With($"UPDATE {shape.Table} SET {sets} WHERE {shape.Key!.Sql} = ${command.Add(shape.Key, row)}")
            : null;

    /// <summary>
    /// The changed columns of a contract row, by its key and its row version as loaded, answering the new row version.
    /// If the row no longer has that version (another writer saved the contract first), the statement fails through
    /// the ContractChanged function (migration HandWrittenContractSaves, SQLSTATE 40001), and the whole batch with it.
    /// </summary>
    private NpgsqlBatchCommand GuardedUpdate(TableShape shape, object?[] row, object?[] stored)
    {
        var (command, sets) = Set(shape, row, stored);
        if (sets.Length == 0)
            throw new InvalidOperationException("A contract save changes its row (its revision at least).");
        var key = command.Add(shape.Key!, row);
        var version = command.Add(shape.RowVersion!, stored);
        var changed = $"{shape.Schema}.{TableShape.Quote("ContractChanged")}";
        return command.With(
            $"WITH saved AS (UPDATE {shape.Table} SET {sets} WHERE {shape.Key!.Sql} = ${key} AND {shape.RowVersion!.Sql} = ${version} RETURNING {shape.RowVersion.Sql}) " +
            $"SELECT {shape.RowVersion.Sql} FROM saved UNION ALL SELECT {changed}(${key}) WHERE NOT EXISTS (SELECT FROM saved)");
    }

    /// <summary>"col = $n, ..." for each written column whose value is not the stored one, with their parameters.</summary>
    private static (NpgsqlBatchCommand Command, string Sets) Set(TableShape shape, object?[] row, object?[] stored)
    {
        var command = new NpgsqlBatchCommand();
        var sets = new List<string>();
        foreach (var column in shape.Written)
            if (column != shape.Key && !TableShape.Column.Same(row[column.Index], stored[column.Index]))
                sets.Add($"{column.Sql} = ${command.Add(column, row)}");
        return (command, string.Join(", ", sets));
    }

    private static NpgsqlBatchCommand Delete(TableShape shape, object key)
    {
        var command = new NpgsqlBatchCommand($"DELETE FROM {shape.Table} WHERE {shape.Key!.Sql} = $1");
        command.Parameters.Add(shape.Key.Parameter(key));
        return command;
    }

    private static Func<string, object?> Shadow(Dictionary<string, object> values) => name => values[name];

    private static object? NoShadow(string name) => throw new InvalidOperationException($"No value for the shadow column {name}.");

    private static InvalidOperationException UnknownShadow(TableShape shape, string name) =>
        new($"{shape.Table} has a shadow column {name} that the hand-written path does not fill.");

    /// <summary>What selects the contracts to load: SQL answering their ids (with $1, $2... placeholders), and its values.</summary>
    public sealed record Owners(string Sql, params object[] Values)
    {
        public NpgsqlBatchCommand Command(string text)
        {
            var command = new NpgsqlBatchCommand(text);
            foreach (var value in Values)
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            return command;
        }
    }

    /// <summary>A contract's rows as stored: its own row, and its invoice and payout rows by key.</summary>
    private sealed class Loaded(object?[] row)
    {
        public object?[] Row { get; } = row;
        public Contract? Contract { get; set; }
        public Dictionary<object, object?[]> Invoices { get; } = [];
        public Dictionary<object, object?[]> Payouts { get; } = [];
    }

    /// <summary>The model's tables as shapes, made once per model.</summary>
    private sealed class Shapes
    {
        public Shapes(IModel model)
        {
            Contract = new TableShape(model.FindEntityType(typeof(Contract))!);
            Invoice = new TableShape(model.FindEntityType(typeof(FundingInvoice))!);
            Payout = new TableShape(model.FindEntityType(typeof(PayoutInstruction))!);
            Audit = new TableShape(model.FindEntityType(typeof(AuditEntry))!);
            Event = new TableShape(model.FindEntityType(typeof(ProcessedEventRow))!);
            Token = new TableShape(model.FindEntityType(typeof(PartyTokenRow))!);
            Invoices = MemberAccess.Of(Contract.EntityType.FindNavigation(nameof(Core.Contracts.Contract.Invoices))!);
            Payouts = MemberAccess.Of(Contract.EntityType.FindNavigation(nameof(Core.Contracts.Contract.Payouts))!);
        }

        public TableShape Contract { get; }
        public TableShape Invoice { get; }
        public TableShape Payout { get; }
        public TableShape Audit { get; }
        public TableShape Event { get; }
        public TableShape Token { get; }
        public MemberAccess Invoices { get; }
        public MemberAccess Payouts { get; }
    }
}

internal static class BatchCommands
{
    /// <summary>Adds a column's value from a row as the next parameter; answers its number ($n).</summary>
    public static int Add(this NpgsqlBatchCommand command, TableShape.Column column, object?[] row)
    {
        command.Parameters.Add(column.Parameter(row[column.Index]));
        return command.Parameters.Count;
    }

    public static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string text)
    {
        command.CommandText = text;
        return command;
    }
}
