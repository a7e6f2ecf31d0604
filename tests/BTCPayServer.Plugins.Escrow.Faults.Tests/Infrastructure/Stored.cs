using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.Data.Sqlite;
using Microsoft.Data.Sqlite;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

public sealed record SandboxInvoiceRow(string Id, string Status, decimal Amount);
public sealed record SandboxPaymentRow(string Id, string InvoiceId, decimal Amount);
public sealed record SandboxPullPaymentRow(string Id, string Reference, string Status, decimal Amount);

/// <summary>What a stopped host left in its data folder: the escrow database (read with Data's own store) and sandbox.db.</summary>
public sealed class Stored
{
    public required Contract Contract { get; init; }
    public required IReadOnlyList<AuditEntry> Audit { get; init; }
    public required IReadOnlyList<SandboxInvoiceRow> Invoices { get; init; }
    public required IReadOnlyList<SandboxPaymentRow> Payments { get; init; }
    public required IReadOnlyList<SandboxPullPaymentRow> PullPayments { get; init; }

    /// <param name="postgres">The escrow database's connection string when the host ran on PostgreSQL (the sandbox is SQLite either way).</param>
    public static async Task<Stored> ReadAsync(string dataDir, Guid contractId, string? postgres = null)
    {
        // No pooling: nothing keeps the files (or the server's sessions) open once the checks are done.
        var stores = new EfContractStoreFactory(postgres is null
            ? () => SqliteEscrowDatabase.Create($"Data Source={Path.Combine(dataDir, "escrow.db")};Pooling=False")
            : () => EscrowDatabase.CreatePostgres(postgres + ";Pooling=false"));
        Contract? contract;
        await using (var store = stores.Open())
            contract = await store.FindAsync(contractId, CancellationToken.None);
        Assert.NotNull(contract);
        var audit = await stores.ReadAsync(contractId, CancellationToken.None);

        await using var sandbox = new SqliteConnection($"Data Source={Path.Combine(dataDir, "sandbox.db")};Mode=ReadOnly;Pooling=False");
        await sandbox.OpenAsync();
        return new Stored
        {
            Contract = contract,
            Audit = audit,
            Invoices = await QueryAsync(sandbox, "SELECT Id, Status, Amount FROM Invoices", r => new SandboxInvoiceRow(r.GetString(0), r.GetString(1), r.GetDecimal(2))),
            Payments = await QueryAsync(sandbox, "SELECT Id, InvoiceId, Amount FROM Payments", r => new SandboxPaymentRow(r.GetString(0), r.GetString(1), r.GetDecimal(2))),
            PullPayments = await QueryAsync(sandbox, "SELECT Id, Reference, Status, Amount FROM PullPayments",
                r => new SandboxPullPaymentRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDecimal(3))),
        };
    }

    private static async Task<List<T>> QueryAsync<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(map(reader));
        return rows;
    }
}
