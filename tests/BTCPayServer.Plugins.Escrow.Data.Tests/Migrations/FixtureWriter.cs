using System.Diagnostics;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Faults;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using CsCheck;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Migrations;

/// <summary>
/// Writes the migration fixtures (a database of the schema before the JSON storage, with its export) when
/// ESCROW_WRITE_MIGRATION_FIXTURE names a folder; does nothing otherwise. Run once on the commit before the storage
/// rewrite: what it stores is the schema of that commit.
/// </summary>
public sealed class FixtureWriter
{
    [Fact]
    public async Task Write_migration_fixtures_when_asked()
    {
        if (Environment.GetEnvironmentVariable("ESCROW_WRITE_MIGRATION_FIXTURE") is not { Length: > 0 } folder)
            return;
        Directory.CreateDirectory(folder);

        var postgres = new PostgresDatabase();
        await postgres.InitializeAsync();
        try
        {
            await FillAsync(postgres);
            await File.WriteAllTextAsync(Path.Combine(folder, "postgres-export.json"), await DatabaseExport.OfAsync(postgres));
            await DumpPostgresAsync(postgres, Path.Combine(folder, "postgres-data.sql"));
        }
        finally
        {
            await postgres.DisposeAsync();
        }

        var sqlite = new SqliteDatabase();
        await sqlite.InitializeAsync();
        try
        {
            await FillAsync(sqlite);
            await File.WriteAllTextAsync(Path.Combine(folder, "sqlite-export.json"), await DatabaseExport.OfAsync(sqlite));
            SqliteConnection.ClearAllPools();
            await using var connection = new SqliteConnection($"Data Source={sqlite.FilePath}");
            await connection.OpenAsync();
            await using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); VACUUM INTO $path";
            vacuum.Parameters.AddWithValue("$path", Path.Combine(folder, "sqlite.db"));
            await vacuum.ExecuteNonQueryAsync();
        }
        finally
        {
            await sqlite.DisposeAsync();
        }
    }

    /// <summary>Every state: the lifecycle stopped after each of its steps, a cancelled contract, and generated event sequences.</summary>
    private static async Task FillAsync(StoreDatabase database)
    {
        var steps = new Lifecycle(Build.Clock()).Steps.Count;
        for (var stop = 0; stop <= steps; stop++)
        {
            var clock = Build.Clock();
            var lifecycle = new Lifecycle(clock);
            var contract = Build.Draft(clock, "store-fixture");
            await database.AddAsync(contract);
            foreach (var (step, i) in lifecycle.Steps.Take(stop).Select((s, i) => (s, i)))
            {
                lifecycle.Tick(i);
                await database.ActAsync(contract.Id, step);
            }
        }
        var cancelled = Build.Clock();
        var draft = Build.Draft(cancelled, "store-fixture");
        Build.Activate(draft, cancelled);
        await database.AddAsync(draft);
        await database.ActAsync(draft.Id, c => c.Cancel(Build.Agency, "Client left", cancelled.GetUtcNow()));

        // Late payments, invalid invoices, overpayments, payouts claimed and completed: the fault generator's sequences.
        await EventSequences.Batch.SampleAsync(async batch =>
        {
            var runs = batch.Select(shape => new EventSequence(database, shape, "store-events")).ToList();
            await using (var seed = database.NewStore())
                await seed.AddManyAsync(runs.Select(r => r.Contract).ToList(), CancellationToken.None);
            foreach (var run in runs)
                await run.PlayAsync();
        }, iter: 1, threads: 1);
    }

    private static async Task DumpPostgresAsync(PostgresDatabase database, string path)
    {
        var c = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var info = new ProcessStartInfo("pg_dump") { RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "-h", c.Host!, "-p", c.Port.ToString(), "-U", c.Username!, "--data-only", "--column-inserts", "--no-owner", "--no-privileges",
                     $"--schema=\"{EscrowDatabase.Schema}\"", $"--exclude-table=\"{EscrowDatabase.Schema}\".\"{EscrowDatabase.MigrationsHistoryTable}\"",
                     "-f", path, c.Database!,
                 })
            info.ArgumentList.Add(argument);
        info.Environment["PGPASSWORD"] = c.Password;
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }
}
