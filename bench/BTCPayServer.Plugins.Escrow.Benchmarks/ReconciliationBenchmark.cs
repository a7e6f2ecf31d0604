using System.Diagnostics;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using Microsoft.Data.Sqlite;
using BTCPayServer.Plugins.Escrow.Data;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>
/// The standalone host's start-up reconciliation against its sandbox gateway at scale: 10,000 active contracts each
/// waiting on a funding invoice, of which 1 % were settled in the gateway while the host was down. Measured in the
/// host's own log: the time the reconciliation took and the SQL statements it ran (the escrow's PostgreSQL and the
/// sandbox's SQLite), and checked: every missed settlement applied, nothing else.
/// </summary>
public static class ReconciliationBenchmark
{
    public static async Task<IReadOnlyList<Result>> RunAsync(int contracts)
    {
        await using var db = await BenchDatabase.CreateAsync("reconciliation");
        var invoices = new List<(Guid ContractId, string InvoiceId, decimal Amount)>();
        var seeded = Enumerable.Range(0, contracts).Select(i =>
        {
            var contract = Seeding.ActiveContract(HostProcess.StoreId, i, 2, fundFirst: false);
            var invoice = Seeding.OpenInvoice(contract, $"sbx_inv_bench_{i:D6}");
            invoices.Add((contract.Id, invoice.InvoiceId, invoice.Amount.Amount));
            return contract;
        });
        await Seeding.StoreAsync(db, seeded);
        await db.AnalyzeAsync();

        // The host makes the sandbox's database on its first start; the gateway's side is then filled directly.
        var dataDir = Path.Combine(Path.GetTempPath(), $"escrow-bench-reconcile-{Guid.NewGuid():N}");
        try
        {
            var (first, _) = await HostProcess.StartAsync(db.ConnectionString, logCommands: false, dataDir: dataDir);
            await first.DisposeAsync();
            var changed = invoices.Where((_, i) => i % 100 == 0).Select(i => i.InvoiceId).ToHashSet();
            await FillSandboxAsync(Path.Combine(dataDir, "sandbox.db"), invoices, changed);

            var (host, _) = await HostProcess.StartAsync(db.ConnectionString, logCommands: true, dataDir: dataDir);
            await using (host)
            {
                var lines = await host.WaitForLineAsync(l => l.Contains("missed event(s) applied in", StringComparison.Ordinal), TimeSpan.FromMinutes(10));
                var started = Array.FindLastIndex(lines.ToArray(), l => l.Contains("Reconciliation with the payment gateway: started", StringComparison.Ordinal));
                var statements = HostProcess.Statements(lines.Skip(started));
                var summary = lines[^1];
                var milliseconds = long.Parse(summary[(summary.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..].Split(' ')[0]);
                var applied = int.Parse(summary.Split(" missed event(s)")[0].Split(' ')[^1]);

                var funded = 0;
                await using (var check = new EfContractStore(db.NewContext()))
                    foreach (var (contractId, _, _) in invoices.Where(i => changed.Contains(i.InvoiceId)))
                        funded += (await check.FindAsync(contractId, CancellationToken.None))?.Milestones[0].State == MilestoneState.Funded ? 1 : 0;
                var correct = applied == 2 * changed.Count && funded == changed.Count;
                var reads = (contracts + 99) / 100;
                return
                [
                    new("4. reconciliation", $"{contracts:N0} open funding invoices, {changed.Count} settled while down: time (ms)", $"{milliseconds}", "", null),
                    new("4. reconciliation", "SQL statements (escrow + sandbox)", $"{statements}", $"watch list 1 + {reads} gateway reads + {reads} applied-event checks + the changed contracts' own", null),
                    new("4. reconciliation", "statements per changed contract, after the fixed part", $"{(statements - 1 - 2 * reads) / (double)changed.Count:F1}", "", null),
                    new("4. reconciliation", "missed events applied / milestones funded", $"{applied} / {funded}", $"{2 * changed.Count} / {changed.Count}", correct),
                ];
            }
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The gateway's side: every invoice new, the changed ones settled with one payment of the full amount.</summary>
    private static async Task FillSandboxAsync(string path, IReadOnlyList<(Guid ContractId, string InvoiceId, decimal Amount)> invoices, IReadOnlySet<string> settled)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var invoice = connection.CreateCommand();
        invoice.CommandText = """
            INSERT INTO "Invoices" ("Id", "StoreId", "ContractId", "Amount", "Currency", "Description", "RedirectUrl", "Status", "CreatedAt")
            VALUES ($id, $store, $contract, $amount, 'USD', 'Funding', '', $status, $at)
            """;
        var payment = connection.CreateCommand();
        payment.CommandText = """
            INSERT INTO "Payments" ("Id", "InvoiceId", "Amount", "Btc", "Rate", "Method", "AfterExpiry", "At")
            VALUES ($id, $invoice, $amount, $btc, '50000', 'BTC-CHAIN', 0, $at)
            """;
        var at = Seeding.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");
        foreach (var (contractId, invoiceId, amount) in invoices)
        {
            invoice.Parameters.Clear();
            invoice.Parameters.AddWithValue("$id", invoiceId);
            invoice.Parameters.AddWithValue("$store", HostProcess.StoreId);
            invoice.Parameters.AddWithValue("$contract", contractId.ToString().ToUpperInvariant());
            invoice.Parameters.AddWithValue("$amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            invoice.Parameters.AddWithValue("$status", settled.Contains(invoiceId) ? "Settled" : "New");
            invoice.Parameters.AddWithValue("$at", at);
            await invoice.ExecuteNonQueryAsync();
            if (!settled.Contains(invoiceId))
                continue;
            payment.Parameters.Clear();
            payment.Parameters.AddWithValue("$id", $"sbx_pay_{invoiceId}");
            payment.Parameters.AddWithValue("$invoice", invoiceId);
            payment.Parameters.AddWithValue("$amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            payment.Parameters.AddWithValue("$btc", decimal.Round(amount / 50_000m, 8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            payment.Parameters.AddWithValue("$at", at);
            await payment.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
