using System.Diagnostics;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Data;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>
/// Invoice-settled events for distinct funded milestones through the real inbound path (idempotency check, ledger,
/// audit entry, save), with 1 and 8 producers, next to pgbench's TPC-B on the same server in the same run.
/// </summary>
public static partial class IngestionBenchmark
{
    public static async Task<IReadOnlyList<Result>> RunAsync(int eventsPerRun)
    {
        await using var db = await BenchDatabase.CreateAsync("ingest");
        var invoices = new List<(string InvoiceId, Core.Amounts.Money Amount)>();
        var contracts = Enumerable.Range(0, eventsPerRun * 2).Select(i =>
        {
            var c = Seeding.ActiveContract("store-ingest", i, 2, fundFirst: false);
            var invoice = Seeding.OpenInvoice(c, $"inv-{i}-{Guid.NewGuid():N}");
            invoices.Add((invoice.InvoiceId, invoice.Amount));
            return c;
        }).ToList();
        await Seeding.StoreAsync(db, contracts);
        var handler = new PaymentEventHandler(new EfContractStoreFactory(db.NewContext), TimeProvider.System);

        // Round trips per event, on contracts of their own (100 events, 1 producer), through a counting logger.
        var counter = new StatementCounter();
        var counted = Enumerable.Range(0, 100).Select(i =>
        {
            var c = Seeding.ActiveContract("store-ingest", eventsPerRun * 2 + i, 2, fundFirst: false);
            var invoice = Seeding.OpenInvoice(c, $"inv-count-{i}-{Guid.NewGuid():N}");
            return (Contract: c, Invoice: (invoice.InvoiceId, invoice.Amount));
        }).ToList();
        await Seeding.StoreAsync(db, counted.Select(x => x.Contract).ToList());
        var countingHandler = new PaymentEventHandler(new EfContractStoreFactory(() => EscrowDatabase.CreatePostgres(db.ConnectionString, counter)), TimeProvider.System);

        // A server that takes payments runs for days: what counts is its steady state, not its first minute. Before
        // measuring, the same path runs on contracts of its own until the runtime has finished compiling it (tiered
        // JIT keeps recompiling EF Core's and Npgsql's hot methods for tens of seconds after start, and on 2 cores
        // that work competes with the events; measured: most of the process's CPU in a cold 1,000-event run).
        var warmUp = Enumerable.Range(0, WarmUpEvents).Select(i =>
        {
            var c = Seeding.ActiveContract("store-ingest", eventsPerRun * 2 + 100 + i, 2, fundFirst: false);
            var invoice = Seeding.OpenInvoice(c, $"inv-warm-{i}-{Guid.NewGuid():N}");
            return (Contract: c, Invoice: (invoice.InvoiceId, invoice.Amount));
        }).ToList();
        await Seeding.StoreAsync(db, warmUp.Select(x => x.Contract).ToList());
        // Contracts for the storage floor (the same reads and writes by hand, see StorageFloor).
        var floorInvoices = new List<string>();
        var floorContracts = Enumerable.Range(0, eventsPerRun * 3).Select(i =>
        {
            var c = Seeding.ActiveContract("store-ingest", eventsPerRun * 2 + 100 + WarmUpEvents + i, 2, fundFirst: false);
            floorInvoices.Add(Seeding.OpenInvoice(c, $"inv-floor-{i}-{Guid.NewGuid():N}").InvoiceId);
            return c;
        }).ToList();
        await Seeding.StoreAsync(db, floorContracts);
        // The same path on connections whose statements are not prepared, as inside BTCPay (the plugin uses BTCPay's
        // connection string as it is; the host and the handler above add Max Auto Prepare and No Reset On Close, see
        // EscrowDatabase.WithPoolDefaults). 30 % of its own contracts warm its connections up, the rest are measured.
        var unpreparedInvoices = new List<(string InvoiceId, Core.Amounts.Money Amount)>();
        var unpreparedContracts = Enumerable.Range(0, eventsPerRun * 13 / 10).Select(i =>
        {
            var c = Seeding.ActiveContract("store-ingest", eventsPerRun * 5 + 100 + WarmUpEvents + i, 2, fundFirst: false);
            var invoice = Seeding.OpenInvoice(c, $"inv-unprepared-{i}-{Guid.NewGuid():N}");
            unpreparedInvoices.Add((invoice.InvoiceId, invoice.Amount));
            return c;
        }).ToList();
        await Seeding.StoreAsync(db, unpreparedContracts);
        var unpreparedHandler = new PaymentEventHandler(
            new EfContractStoreFactory(() => EscrowDatabase.CreatePostgres(db.ConnectionString + ";Max Auto Prepare=0;No Reset On Close=false")), TimeProvider.System);
        await WarmUpAsync(handler, warmUp.Select(x => x.Invoice).ToList());

        var single = await Measure(handler, invoices.Take(eventsPerRun).ToList(), producers: 1);
        var meter = CpuMeter.Start();
        var eight = await Measure(handler, invoices.Skip(eventsPerRun).ToList(), producers: 8);
        var (selfMs, postgresMs, _) = meter.Stop();
        await Measure(unpreparedHandler, unpreparedInvoices.Skip(eventsPerRun).ToList(), producers: 8);
        var unpreparedMeter = CpuMeter.Start();
        var unprepared = await Measure(unpreparedHandler, unpreparedInvoices.Take(eventsPerRun).ToList(), producers: 8);
        var (unpreparedSelfMs, unpreparedPostgresMs, _) = unpreparedMeter.Stop();
        // Warmed up on 30 % of its events, then measured on the rest.
        // Each variant on contracts of its own (a third of the floor's each), warmed up on 30 % of them, measured on the rest.
        async Task<(double EventsPerSecond, double ClientCpuMs, double PostgresCpuMs)> FloorAsync(int variant, bool appended = false, int perTransaction = 1)
        {
            var mine = floorInvoices.Skip(eventsPerRun * variant).Take(eventsPerRun).ToList();
            var warmUp = eventsPerRun * 3 / 10;
            await StorageFloor.RunAsync(db, contracts[eventsPerRun].Id, mine.Take(warmUp).ToList(), producers: 8, appended, perTransaction);
            return await StorageFloor.RunAsync(db, contracts[eventsPerRun].Id, mine.Skip(warmUp).ToList(), producers: 8, appended, perTransaction);
        }
        var floor = await FloorAsync(0);
        // The what-if: the payment appended as a row, no rewrite of the lists.
        var appended = await FloorAsync(1, appended: true);
        // Group commit, 8 events per transaction, as the real path stores the events that arrive together.
        var together = await FloorAsync(2, perTransaction: 8);
        // Counted apart from the timed runs: logging every command costs time of its own.
        await Measure(countingHandler, counted.Select(x => x.Invoice).ToList(), producers: 1);
        var commandsPerEvent = counter.Commands / 100.0;
        var commitsPerEvent = counter.Commits / 100.0;
        // pgbench's server CPU is read while it runs (its connections' backends take their CPU figures with them when
        // they end): from its 2nd to its 18th second, against its average rate.
        (double Self, double Postgres, double Other) pgbenchCpu = default;
        var pgbench = await PgBenchAsync(db, clients: 8, whileRunning: async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var meter = CpuMeter.Start();
            await Task.Delay(TimeSpan.FromSeconds(PgBenchSeconds - 4));
            pgbenchCpu = meter.Stop();
        });
        var pgbenchTransactions = pgbench * (PgBenchSeconds - 4);
        var (_, pgbenchServerMs, pgbenchClientMs) = pgbenchCpu;
        var pgbenchOne = await PgBenchAsync(db, clients: 1, initialize: false);
        return
        [
            new("1. payment-event ingestion", "garbage collector of this process (as in BTCPay: server)", System.Runtime.GCSettings.IsServerGC ? "server" : "workstation", "", null),
            new("1. payment-event ingestion", "events/s, 1 producer", $"{single:F0}", "", null),
            new("1. payment-event ingestion", "events/s, 8 producers", $"{eight:F0}", "", null),
            new("1. payment-event ingestion", "pgbench TPC-B tps (-c 8, 20 s)", $"{pgbench:F0}", "", null),
            new("1. payment-event ingestion", "ratio 8 producers ÷ tps (-c 8)", $"{eight / pgbench:F2}", "≥ 0.5", eight / pgbench >= 0.5),
            // Like for like at one connection: one producer next to one pgbench client (for information; no target).
            new("1. payment-event ingestion", "pgbench TPC-B tps (-c 1, 20 s)", $"{pgbenchOne:F0}", "", null),
            new("1. payment-event ingestion", "ratio 1 producer ÷ tps (-c 1)", $"{single / pgbenchOne:F2}", "", null),
            new("1. payment-event ingestion", "round trips per event, 1 producer (commands + commits)", $"{commandsPerEvent:F1} + {commitsPerEvent:F1}", "", null),
            // CPU of this process (EF, the domain, Npgsql) per event: on a 2-core machine shared with the server, what it
            // spends is what the server cannot.
            new("1. payment-event ingestion", "benchmark process CPU per event, 8 producers (ms)", $"{selfMs / eventsPerRun:F2}", "", null),
            // Where the time goes (2 cores: 2,000 ms of CPU per second for the client and the server together).
            new("1. payment-event ingestion", "PostgreSQL CPU per event, 8 producers (ms)", $"{postgresMs / eventsPerRun:F2}", "", null),
            new("1. payment-event ingestion", "pgbench: PostgreSQL CPU / pgbench client CPU per transaction (ms)", $"{pgbenchServerMs / pgbenchTransactions:F2} / {pgbenchClientMs / pgbenchTransactions:F2}", "", null),
            // Inside BTCPay the plugin's statements are not prepared unless BTCPay's connection string says so.
            new("1. payment-event ingestion", "events/s, 8 producers, statements not prepared (as inside BTCPay by default)", $"{unprepared:F0}", "", null),
            new("1. payment-event ingestion", "not prepared ÷ tps (-c 8)", $"{unprepared / pgbench:F2}", "", null),
            new("1. payment-event ingestion", "not prepared: process CPU / PostgreSQL CPU per event (ms)", $"{unpreparedSelfMs / eventsPerRun:F2} / {unpreparedPostgresMs / eventsPerRun:F2}", "", null),
            // The same reads and writes without EF Core and the domain (StorageFloor): what the data itself costs.
            .. FloorRows("storage floor", "storage floor: the same statements by hand (Npgsql, no EF), events/s, 8 connections", floor, pgbench),
            // A what-if, not the plugin's schema (StorageFloor, appended): what a redesign of the event's writes would allow.
            .. FloorRows("what-if floor", "what-if floor: payment appended as a row, the row's lists not rewritten, events/s", appended, pgbench),
            .. FloorRows("storage floor, 8 events per transaction", "storage floor, 8 events per transaction (group commit, as the real path), events/s", together, pgbench),
        ];
    }

    private const int WarmUpEvents = 3000;

    private static Result[] FloorRows(string name, string rate, (double EventsPerSecond, double ClientCpuMs, double PostgresCpuMs) floor, double pgbench) =>
    [
        new("1. payment-event ingestion", rate, $"{floor.EventsPerSecond:F0}", "", null),
        new("1. payment-event ingestion", $"{name} ÷ tps (-c 8)", $"{floor.EventsPerSecond / pgbench:F2}", "", null),
        new("1. payment-event ingestion", $"{name}: process CPU / PostgreSQL CPU per event (ms)", $"{floor.ClientCpuMs:F2} / {floor.PostgresCpuMs:F2}", "", null),
    ];

    /// <summary>
    /// Runs the events (1 and 8 producers, in turns) until they are used up or the JIT has compiled nothing for two
    /// seconds in a row; returns how many were used.
    /// </summary>
    private static async Task<int> WarmUpAsync(PaymentEventHandler handler, IReadOnlyList<(string InvoiceId, Core.Amounts.Money Amount)> invoices)
    {
        var used = 0;
        var quietSeconds = 0;
        while (used < invoices.Count && quietSeconds < 2)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            var started = Stopwatch.StartNew();
            var chunk = invoices.Skip(used).Take(100).ToList();
            await Measure(handler, chunk, producers: used / 100 % 2 == 0 ? 8 : 1);
            used += chunk.Count;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, 1000 - started.ElapsedMilliseconds)));
            quietSeconds = System.Runtime.JitInfo.GetCompiledMethodCount() == before ? quietSeconds + 1 : 0;
        }
        Console.Error.WriteLine($"ingestion warm-up: {used} events, JIT quiet: {quietSeconds >= 2}");
        return used;
    }

    private static async Task<double> Measure(PaymentEventHandler handler, IReadOnlyList<(string InvoiceId, Core.Amounts.Money Amount)> invoices, int producers)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < invoices.Count)
            {
                var (invoiceId, amount) = invoices[i];
                var outcome = await handler.HandleAsync(Seeding.Settled(invoiceId, amount, $"bench-{invoiceId}"), CancellationToken.None);
                if (outcome != EventOutcome.Applied)
                    throw new InvalidOperationException($"Event for {invoiceId} was {outcome}.");
            }
        })));
        return invoices.Count / watch.Elapsed.TotalSeconds;
    }

    private const int PgBenchSeconds = 20;

    private static async Task<double> PgBenchAsync(BenchDatabase db, int clients, bool initialize = true, Func<Task>? whileRunning = null)
    {
        var server = db.Server;
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = server.Password ?? "" };
        string Args(string rest) => $"-h {server.Host} -p {server.Port} -U {server.Username} {rest} {db.Name}";
        if (initialize)
            await Run("pgbench", Args("-i -q -s 8"), env);
        var running = Run("pgbench", Args($"-T {PgBenchSeconds} -c {clients} -j {Math.Min(clients, 2)}"), env);
        if (whileRunning is not null)
            await whileRunning();
        var output = await running;
        var match = TpsPattern().Match(output);
        if (!match.Success)
            throw new InvalidOperationException("pgbench printed no tps:\n" + output);
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task<string> Run(string file, string args, IReadOnlyDictionary<string, string> env)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {args} failed: {await stderr}");
        return await stdout + await stderr;
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsPattern();
}
