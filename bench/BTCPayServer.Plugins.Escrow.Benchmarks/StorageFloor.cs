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
    public static async Task<(double EventsPerSecond, double ClientCpuMs, double PostgresCpuMs)> RunAsync(
        BenchDatabase db, Guid template, IReadOnlyList<string> invoiceIds, int producers)
    {
        await using var source = NpgsqlDataSource.Create(EscrowDatabase.WithAutoPrepare(db.ConnectionString));
        var written = await TemplateAsync(source, template);
        var next = -1;
        var meter = CpuMeter.Start();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < invoiceIds.Count)
                await ApplyAsync(source, written, invoiceIds[i]);
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

    private static async Task ApplyAsync(NpgsqlDataSource source, Written w, string invoiceId)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

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
            var set = string.Join(", ", ContractColumns.Select((c, i) => $"\"{c}\" = ${i + 1}"));
            var update = new NpgsqlBatchCommand($"UPDATE {Schema}.\"Contracts\" SET {set}, \"AuditCount\" = ${ContractColumns.Length + 1}, " +
                $"\"Revision\" = ${ContractColumns.Length + 2} WHERE \"Id\" = ${ContractColumns.Length + 3} AND xmin = ${ContractColumns.Length + 4}");
            for (var i = 0; i < ContractColumns.Length; i++)
                update.Parameters.Add(Typed(ContractColumns[i] == "AuditHeadHash" ? hash : ContractColumns[i] == "UpdatedAt" ? DateTimeOffset.UtcNow : w.ContractColumns[i], w.ContractTypes[i]));
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
        await transaction.CommitAsync();
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
