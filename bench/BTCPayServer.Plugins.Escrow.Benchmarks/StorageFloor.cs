using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using BTCPayServer.Plugins.Escrow.Data;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>
/// The storage floor of a payment event: the same reads and writes the real path makes (the contract row and its two
/// child tables read; the row's four JSON lists, audit head, revision and summary written; the invoice closed; one audit
/// entry and one processed-event row inserted; one commit), written by hand with Npgsql, without EF Core and without
/// the domain, one transaction per event like a pgbench client. The values written are copies of what the real path
/// wrote for an event of the same kind (same sizes). What the real path costs above this figure is EF Core and the
/// domain; what this figure lacks of pgbench's is the work the data itself asks of the server.
/// </summary>
public static class StorageFloor
{
    private const string Schema = "\"BTCPayServer.Plugins.Escrow\"";

    /// <summary>
    /// Applies one hand-written "event" per open invoice in <paramref name="invoiceIds"/> with <paramref name="producers"/>
    /// connections; <paramref name="template"/> is a contract the real path already applied an invoice-settled event to.
    /// Answers events per second and this process's CPU per event (ms).
    /// </summary>
    /// <param name="appended">
    /// A what-if, not the schema the plugin has: the event's payment appended as a row of its own (a table the benchmark
    /// makes) and the contract row's small columns updated in place (audit head, revision, summary; not its JSON lists,
    /// nor the time the staff list's index orders by, so the update can stay on its page). The reads are the same.
    /// </param>
    public static async Task<(double EventsPerSecond, double ClientCpuMs, double PostgresCpuMs)> RunAsync(
        BenchDatabase db, Guid template, IReadOnlyList<string> invoiceIds, int producers, bool appended = false, int perTransaction = 1)
    {
        await using var source = NpgsqlDataSource.Create(EscrowDatabase.WithPoolDefaults(db.ConnectionString));
        var written = await TemplateAsync(source, template);
        if (appended)
        {
            await using var connection = await source.OpenConnectionAsync();
            await using var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS floor_payments (\"ContractId\" uuid NOT NULL, \"PaymentId\" text NOT NULL, \"Data\" jsonb NOT NULL, " +
                "PRIMARY KEY (\"ContractId\", \"PaymentId\"))", connection);
            await create.ExecuteNonQueryAsync();
        }
        var next = -1;
        var meter = CpuMeter.Start();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) * perTransaction < invoiceIds.Count)
                await ApplyAsync(source, written, invoiceIds.Skip(i * perTransaction).Take(perTransaction).ToList(), appended);
        })));
        var seconds = watch.Elapsed.TotalSeconds;
        var (self, postgres, _) = meter.Stop();
        return (invoiceIds.Count / seconds, self / invoiceIds.Count, postgres / invoiceIds.Count);
    }

    /// <summary>What the real path wrote for one event: the contract row's changed columns, its audit entry and processed-event row.</summary>
    private sealed record Written(object[] ContractColumns, string[] ContractTypes, object[] Audit, string[] AuditTypes, string[] AuditNames,
        object[] Processed, string[] ProcessedTypes, string[] ProcessedNames, object InvoiceStatus);

    private static readonly string[] ContractColumns = ["Allocations", "Milestones", "Payments", "ProcessedEvents", "AuditHeadHash", "SummaryFunded", "SummaryOutstanding", "UpdatedAt"];

    private static async Task<Written> TemplateAsync(NpgsqlDataSource source, Guid template)
    {
        await using var connection = await source.OpenConnectionAsync();
        var (contract, contractTypes, _) = await RowAsync(connection,
            $"SELECT {string.Join(", ", ContractColumns.Select(c => $"\"{c}\""))} FROM {Schema}.\"Contracts\" WHERE \"Id\" = $1", template);
        var (audit, auditTypes, auditNames) = await RowAsync(connection,
            $"SELECT * FROM {Schema}.\"AuditEntries\" WHERE \"ContractId\" = $1 AND \"Type\" = 'invoice.settled' LIMIT 1", template);
        var (processed, processedTypes, processedNames) = await RowAsync(connection,
            $"SELECT * FROM {Schema}.\"ProcessedEvents\" WHERE \"ContractId\" = $1 LIMIT 1", template);
        var (invoice, _, _) = await RowAsync(connection,
            $"SELECT \"Status\" FROM {Schema}.\"FundingInvoices\" WHERE \"ContractId\" = $1 AND \"ClosedAt\" IS NOT NULL LIMIT 1", template);
        return new Written(contract, contractTypes, audit, auditTypes, auditNames, processed, processedTypes, processedNames, invoice[0]);
    }

    private static async Task<(object[] Values, string[] Types, string[] Names)> RowAsync(NpgsqlConnection connection, string sql, Guid id)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = id } } };
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
            throw new InvalidOperationException("The storage floor's template row is missing: " + sql);
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return (values, Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToArray(),
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray());
    }

    /// <summary>The events of <paramref name="invoiceIds"/> one after the other in one transaction (one commit for all of them).</summary>
    private static async Task ApplyAsync(NpgsqlDataSource source, Written w, IReadOnlyList<string> invoiceIds, bool appended)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var invoiceId in invoiceIds)
            await ApplyAsync(connection, transaction, w, invoiceId, appended);
        await transaction.CommitAsync();
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Written w, string invoiceId, bool appended)
    {

        // Reads: the owner by its invoice, the whole row, the two child tables (one round trip).
        Guid contractId;
        uint xmin;
        long auditCount;
        long revision;
        await using (var reads = new NpgsqlBatch(connection, transaction))
        {
            var owner = $"(SELECT \"ContractId\" FROM {Schema}.\"FundingInvoices\" WHERE \"InvoiceId\" = $1)";
            reads.BatchCommands.Add(new($"SELECT c.xmin, * FROM {Schema}.\"Contracts\" AS c WHERE c.\"Id\" = {owner}") { Parameters = { new() { Value = invoiceId } } });
            reads.BatchCommands.Add(new($"SELECT * FROM {Schema}.\"FundingInvoices\" WHERE \"ContractId\" = {owner} ORDER BY \"Position\"") { Parameters = { new() { Value = invoiceId } } });
            reads.BatchCommands.Add(new($"SELECT * FROM {Schema}.\"PayoutInstructions\" WHERE \"ContractId\" = {owner} ORDER BY \"Position\"") { Parameters = { new() { Value = invoiceId } } });
            await using var reader = await reads.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
                throw new InvalidOperationException($"No contract has invoice {invoiceId}.");
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            xmin = (uint)row[0];
            contractId = reader.GetGuid(reader.GetOrdinal("Id"));
            auditCount = Convert.ToInt64(reader.GetValue(reader.GetOrdinal("AuditCount")));
            revision = Convert.ToInt64(reader.GetValue(reader.GetOrdinal("Revision")));
            do
            {
                while (await reader.ReadAsync())
                    reader.GetValues(new object[reader.FieldCount]);
            } while (await reader.NextResultAsync());
        }

        // Writes (one round trip), then the commit.
        var eventId = Guid.NewGuid().ToString("N");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{contractId}|{auditCount + 1}|{eventId}")));
        await using (var writes = new NpgsqlBatch(connection, transaction))
        {
            var columns = appended ? ContractColumns.Where(c => c is "AuditHeadHash" or "SummaryFunded" or "SummaryOutstanding").ToArray() : ContractColumns;
            var set = string.Join(", ", columns.Select((c, i) => $"\"{c}\" = ${i + 1}"));
            var update = new NpgsqlBatchCommand($"UPDATE {Schema}.\"Contracts\" SET {set}, \"AuditCount\" = ${columns.Length + 1}, " +
                $"\"Revision\" = ${columns.Length + 2} WHERE \"Id\" = ${columns.Length + 3} AND xmin = ${columns.Length + 4}");
            foreach (var column in columns)
            {
                var i = Array.IndexOf(ContractColumns, column);
                update.Parameters.Add(Typed(column == "AuditHeadHash" ? hash : column == "UpdatedAt" ? DateTimeOffset.UtcNow : w.ContractColumns[i], w.ContractTypes[i]));
            }
            update.Parameters.Add(new() { Value = (int)(auditCount + 1) });
            update.Parameters.Add(new() { Value = revision + 1 });
            update.Parameters.Add(new() { Value = contractId });
            update.Parameters.Add(new() { Value = xmin, DataTypeName = "xid" });
            writes.BatchCommands.Add(update);
            writes.BatchCommands.Add(new($"UPDATE {Schema}.\"FundingInvoices\" SET \"ClosedAt\" = $1, \"Status\" = $2 WHERE \"InvoiceId\" = $3")
            {
                Parameters = { new() { Value = DateTimeOffset.UtcNow }, new() { Value = w.InvoiceStatus }, new() { Value = invoiceId } },
            });
            writes.BatchCommands.Add(Insert("AuditEntries", w.AuditNames, w.AuditTypes, name => name switch
            {
                "ContractId" => contractId,
                "Sequence" => (int)(auditCount + 1),
                "Hash" => hash,
                "At" => DateTimeOffset.UtcNow,
                _ => w.Audit[Array.IndexOf(w.AuditNames, name)],
            }));
            if (appended)
                // The payment as a row, keyed by the event (no list rewritten, no second key table).
                writes.BatchCommands.Add(new("INSERT INTO floor_payments (\"ContractId\", \"PaymentId\", \"Data\") VALUES ($1, $2, $3)")
                {
                    Parameters = { new() { Value = contractId }, new() { Value = eventId }, Typed(w.ContractColumns[Array.IndexOf(ContractColumns, "Payments")], "jsonb") },
                });
            else
                writes.BatchCommands.Add(Insert("ProcessedEvents", w.ProcessedNames, w.ProcessedTypes, name => name switch
                {
                    "ContractId" => contractId,
                    "EventId" => eventId,
                    "ProcessedAt" => DateTimeOffset.UtcNow,
                    _ => w.Processed[Array.IndexOf(w.ProcessedNames, name)],
                }));
            await writes.ExecuteNonQueryAsync();
            if (writes.BatchCommands[0].RecordsAffected != 1)
                throw new InvalidOperationException($"The contract of {invoiceId} changed under the storage floor's write.");
        }
    }

    private static NpgsqlBatchCommand Insert(string table, string[] names, string[] types, Func<string, object> value)
    {
        var command = new NpgsqlBatchCommand($"INSERT INTO {Schema}.\"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) " +
            $"VALUES ({string.Join(", ", names.Select((_, i) => $"${i + 1}"))})");
        for (var i = 0; i < names.Length; i++)
            command.Parameters.Add(Typed(value(names[i]), types[i]));
        return command;
    }

    private static NpgsqlParameter Typed(object value, string dataTypeName) => new() { Value = value, DataTypeName = dataTypeName };
}
