using BTCPayServer.Plugins.Escrow.Benchmarks;

// dotnet run -c Release --project bench/BTCPayServer.Plugins.Escrow.Benchmarks [-- --quick] [--only ingestion|pages|reconciliation|startup]
// Needs a PostgreSQL server (ESCROW_BENCH_POSTGRES, default the CI server's escrow role) and pgbench on the PATH.
var quick = args.Contains("--quick");
if (args.Contains("--probe"))
{
    await using var probeDb = await BenchDatabase.CreateAsync("probe");
    var (probe, firstOk) = await HostProcess.StartAsync(probeDb.ConnectionString);
    await using (probe)
    {
        await probe.SignInAsync();
        Console.WriteLine($"first 200 after {firstOk.TotalMilliseconds:F0} ms; statements on the list page: {await probe.CountStatementsAsync(() => probe.Client.GetAsync($"/stores/{HostProcess.StoreId}/plugins/escrow"))}");
    }
    return;
}
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
if (only is not null and not ("ingestion" or "pages" or "reconciliation" or "startup"))
{
    Console.Error.WriteLine($"--only takes 'ingestion', 'pages', 'reconciliation' or 'startup', not '{only}'.");
    return;
}
var results = new List<Result>();
// 5,000 events per measured run: at 1,000-1,500 events/s that is a few seconds, against pgbench's 20. With 1,000 a run
// lasted under a second and its rate moved with what the machine did in that second.
if (only is null or "ingestion")
    results.AddRange(await IngestionBenchmark.RunAsync(eventsPerRun: quick ? 200 : 5000));
if (only is null or "pages")
    results.AddRange(await PagesBenchmark.RunAsync(contracts: quick ? 600 : 10_000, requests: quick ? 50 : 300));
// Start-up alone (the same rows as in the pages part), with the host's memory right after it and after a short page
// load on a small data set: a few minutes instead of the pages part's seeding of 10,000 contracts.
if (only is "startup")
    results.AddRange(await PagesBenchmark.StartupAsync(contracts: 600, requests: 100));
if (only is null or "reconciliation")
    results.AddRange(await ReconciliationBenchmark.RunAsync(contracts: quick ? 1_000 : 10_000));

Console.WriteLine($"BTCPay Escrow benchmarks, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {Environment.OSVersion}{(quick ? " (quick run)" : "")}");
Console.WriteLine();
Console.WriteLine("| benchmark | measure | value | target | met |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
foreach (var r in results)
    Console.WriteLine($"| {r.Benchmark} | {r.Measure} | {r.Value} | {r.Target} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "no")} |");
