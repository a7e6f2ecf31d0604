using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>A PostgreSQL server of the class's own, which its tests stop, restart and cut off (never the shared one).</summary>
public sealed class OwnPostgres : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The standalone host on PostgreSQL, driven through the whole flow of <see cref="EscrowFlow"/> (two milestones, each
/// paid in parts through the sandbox, approved, paid out through the outbox, claimed) while the database goes away at
/// ten points: stopped (fast and immediate) under a party's act, a payment, the outbox and a claim; restarted; its
/// connections killed with pg_terminate_backend, once and continuously. The host is never restarted. While the database
/// is down a staff page, a party page and an API call answer a clear 503; after each fault the host carries on by
/// itself; at the end every payment is counted once and every payout made once (sandbox and escrow agree).
/// </summary>
public sealed class DatabaseFaultTests(OwnPostgres postgres, ITestOutputHelper output) : IClassFixture<OwnPostgres>
{
    private static readonly TimeSpan ByItself = TimeSpan.FromSeconds(20);
    private PostgresServer Pg => postgres.Server;

    [Fact]
    public async Task The_flow_survives_the_database_going_away_at_ten_points_without_a_restart_of_the_host()
    {
        await using var run = await HostOnPostgres.StartAsync(Pg);
        var host = run.Host;
        var database = run.Database;
        var flow = PatientFlow();
        var started = Stopwatch.StartNew();
        var points = new List<string>();
        string? apiKey = null;
        IAsyncDisposable? killing = null;

        void Point(string what)
        {
            points.Add($"{what} @{started.ElapsedMilliseconds} ms");
            output.WriteLine(points[^1]);
        }

        // The host keeps answering while the database is down: clear 503s, never a 500 or a stack trace.
        async Task AssertClearWhileDownAsync(string when)
        {
            AssertUnavailablePage(await flow.Staff.GetAnyAsync($"/stores/{HostProcess.StoreId}/plugins/escrow/contracts/{flow.ContractId}"), $"staff page {when}");
            AssertUnavailablePage(await flow.Client.GetAnyAsync(flow.ClientLink!), $"client page {when}");
            using var api = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/stores/{HostProcess.StoreId}/escrow/contracts/{flow.ContractId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("token", apiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await api.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"API {when}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("database-unavailable", problem.RootElement.GetProperty("code").GetString());
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Task WaitForAsync(string what, Func<Observation, bool> reached) => WaitForByItselfAsync(flow, host, what, reached);

        flow.AfterAct = async act =>
        {
            switch (act)
            {
                case "create draft":
                    Point($"1. pg_terminate_backend × {await Pg.TerminateBackendsAsync(database)} after the draft (the pool holds dead sessions)");
                    // The administrator's API key, made now that the staff member is signed in.
                    var keys = await flow.Staff.OpenAsync($"/stores/{HostProcess.StoreId}/plugins/escrow/api-keys");
                    var made = await flow.Staff.SubmitAsync(keys, "#ApiKeyForm", ("Label", "fault tests"));
                    apiKey = made.Get("#NewApiKeyToken").TextContent.Trim();
                    break;
                case "pay #1":
                    // The sandbox took the payments while the escrow's database was down (the act asserted the checkout says so).
                    await AssertClearWhileDownAsync("after a payment made while the database was down");
                    await Pg.StartAsync();
                    await WaitForAsync("milestone 1 funded", o => o.Milestones[0] == "Funded");
                    break;
                case "submit #1":
                    Point($"5. pg_terminate_backend × {await Pg.TerminateBackendsAsync(database)} after the delivery");
                    break;
                case "approve #1":
                    // The decision and its outbox row are stored; the worker meets a database that is gone.
                    await Pg.StopAsync("immediate");
                    Point("6. stop -m immediate right after the approval (the payout outbox)");
                    await Task.Delay(1500);
                    await AssertClearWhileDownAsync("with a payout in the outbox");
                    Assert.False(host.HasExited);
                    await Pg.StartAsync();
                    await WaitForAsync("payout 1 claimable", o => o.Payouts is ["Claimable"]);
                    break;
                case "claim #1":
                    await AssertClearWhileDownAsync("after a claim made while the database was down");
                    await Pg.StartAsync();
                    await WaitForAsync("payout 1 completed", o => o.Payouts is ["Completed"]);
                    break;
                case "pay #2":
                    await killing!.DisposeAsync();
                    killing = null;
                    await WaitForAsync("milestone 2 funded", o => o.Milestones[1] == "Funded");
                    break;
                case "approve #2":
                    Point("9. pg_terminate_backend every 150 ms while the outbox makes the second payout");
                    await using (Pg.KillSessionsContinuously(database, TimeSpan.FromMilliseconds(150)))
                        await WaitForAsync("payout 2 claimable", o => o.Payouts is [_, "Claimable"]);
                    break;
            }
        };
        flow.BeforeAct = async act =>
        {
            switch (act)
            {
                case "client accepts":
                    await Pg.RestartAsync("fast");
                    Point("2. restart -m fast before the client's acceptance");
                    break;
                case "fund #1":
                    // The client's page was shown; the database goes before the button is pressed.
                    var page = await flow.Client.OpenAsync(flow.ClientLink!);
                    await Pg.StopAsync("fast");
                    Point("3. stop -m fast under the client's funding");
                    AssertUnavailablePage(await flow.Client.SubmitAnyAsync(page, "#Milestone1 .fund-milestone"), "funding while the database is down");
                    await AssertClearWhileDownAsync("under an act");
                    await Pg.StartAsync();
                    break;
                case "pay #1":
                    await Pg.StopAsync("immediate");
                    Point("4. stop -m immediate under the payments of milestone 1 (three parts)");
                    break;
                case "claim #1":
                    await Pg.StopAsync("fast");
                    Point("7. stop -m fast under the freelancer's claim");
                    break;
                case "pay #2":
                    Point("8. pg_terminate_backend every 25 ms under the payments of milestone 2 (three parts)");
                    killing = Pg.KillSessionsContinuously(database, TimeSpan.FromMilliseconds(25));
                    break;
                case "claim #2":
                    await Pg.RestartAsync("immediate");
                    Point("10. restart -m immediate (crash recovery) before the last claim");
                    break;
            }
        };

        try
        {
            await flow.RunToEndAsync(host);
            output.WriteLine($"Steps: {string.Join(" → ", flow.Steps)}");
            Assert.Equal(10, points.Count);
            Assert.False(host.HasExited);

            // The pages after it all.
            var receipt = await flow.Client.OpenAsync($"/escrow/receipt/{flow.ContractId}");
            Assert.StartsWith("Verified", receipt.Get("#ReceiptVerification").TextContent.Trim());
            var details = await flow.Staff.OpenAsync($"/stores/{HostProcess.StoreId}/plugins/escrow/contracts/{flow.ContractId}");
            Assert.Equal("0.00000000 BTC", details.Get("#LedgerBalance").TextContent.Trim());
            Assert.Equal($"{EscrowFlow.Amounts.Sum():F8} BTC", details.Get("#LedgerReleased").TextContent.Trim());
            AssertLoggedNoErrors(host);
            Assert.Contains("Database unavailable, reference", host.Log);
            Assert.Contains("Escrow worker: the database cannot be reached", host.Log);
            Assert.Contains("Escrow worker: the database is reachable again; carrying on", host.Log);

            // What is stored: every payment counted once, one pull payment per decision, the audit chain whole.
            var stored = await run.ReadStoredAsync(flow.ContractId!.Value);
            Assert.Equal(EscrowFlow.Amounts.Length * flow.PaymentsPerInvoice, stored.Payments.Count);
            CompletedFlow.AssertStored(stored, sandboxInvoices: EscrowFlow.Amounts.Length);
            output.WriteLine($"Done in {started.Elapsed.TotalSeconds:F1} s; server faults: {string.Join(", ", Pg.Faults)}");
        }
        catch
        {
            output.WriteLine(string.Join("\n", points));
            output.WriteLine($"Steps: {string.Join(" → ", flow.Steps)}");
            output.WriteLine(host.Log);
            throw;
        }
        finally
        {
            if (killing is not null)
                await killing.DisposeAsync();
        }
    }

    /// <summary>
    /// Payment-event ingestion: eight invoices of four contracts paid at once, three payments each (24 payments, 32
    /// events), while the sessions are killed every 50 ms and the server is restarted fast and then crashed
    /// (immediate). The events that met the faults are applied by the worker's reconciliation, each once.
    /// </summary>
    [Fact]
    public async Task A_burst_of_payments_through_restarts_and_killed_sessions_is_applied_once_each()
    {
        const int contracts = 4;
        await using var run = await HostOnPostgres.StartAsync(Pg);
        var host = run.Host;
        var flows = Enumerable.Range(0, contracts).Select(_ => PatientFlow()).ToList();
        var started = Stopwatch.StartNew();
        try
        {
            // Agreed contracts with their invoices made, before any fault: only the payments meet them.
            await Task.WhenAll(flows.Select(f => f.RunUntilAsync(host, o => o.Contract == "Active")));
            var checkouts = await Task.WhenAll(flows.Select(async f => new[] { await f.OpenCheckoutAsync(1), await f.OpenCheckoutAsync(2) }));
            output.WriteLine($"{contracts} contracts agreed, {contracts * 2} invoices made @{started.ElapsedMilliseconds} ms");

            Task payments;
            await using (Pg.KillSessionsContinuously(run.Database, TimeSpan.FromMilliseconds(50)))
            {
                payments = Task.WhenAll(flows.SelectMany((f, i) => new[] { f.PayAsync(1, checkouts[i][0]), f.PayAsync(2, checkouts[i][1]) }));
                await Task.Delay(300);
                await Pg.RestartAsync("fast");
                await Pg.RestartAsync("immediate");
                await payments;
            }
            output.WriteLine($"24 payments made through the faults @{started.ElapsedMilliseconds} ms");
            Assert.Contains("could not be applied now", host.Log);

            foreach (var flow in flows)
                await WaitForByItselfAsync(flow, host, "both milestones funded", o => o.Milestones is ["Funded", "Funded"]);
            Assert.False(host.HasExited);
            AssertLoggedNoErrors(host);

            await host.DisposeAsync();
            var all = new List<Stored>();
            foreach (var flow in flows)
                all.Add(await Stored.ReadAsync(run.DataDir, flow.ContractId!.Value, run.ConnectionString));
            Assert.Equal(contracts * 2 * 3, all[0].Payments.Count);
            foreach (var stored in all)
                AssertFundedOnce(stored);
            output.WriteLine($"Done in {started.Elapsed.TotalSeconds:F1} s; server faults: {string.Join(", ", Pg.Faults)}");
        }
        catch
        {
            output.WriteLine(host.Log);
            throw;
        }
    }

    /// <summary>Both milestones funded by exactly what the sandbox took for them: each payment counted once, in the ledger and in the audit log.</summary>
    private static void AssertFundedOnce(Stored s)
    {
        var contract = s.Contract;
        var invoiceIds = contract.Invoices.Select(i => i.InvoiceId).ToHashSet();
        var paid = s.Payments.Where(p => invoiceIds.Contains(p.InvoiceId)).ToList();
        Assert.Equal(EscrowFlow.Amounts.Length * 3, paid.Count);
        Assert.Equal(paid.Count, contract.Payments.Count);
        foreach (var payment in paid)
        {
            var counted = Assert.Single(contract.Payments, p => p.PaymentId == payment.Id);
            Assert.Equal(PaymentStatus.Counted, counted.Status);
            Assert.Equal(payment.Amount, counted.Credited.Amount);
        }
        foreach (var m in contract.Milestones)
        {
            Assert.Equal(MilestoneState.Funded, m.State);
            Assert.Equal(m.Amount.Amount, m.Funded.Amount);
        }
        var ledger = EscrowLedger.Of(contract);
        var total = EscrowFlow.Amounts.Sum();
        Assert.Equal(total, ledger.Received.Amount);
        Assert.Equal(total, ledger.Funded.Amount);
        Assert.Equal(total, ledger.Balance.Amount);
        Assert.Equal(0m, ledger.Credit.Amount);

        var verification = AuditChain.Verify(s.Audit);
        Assert.True(verification.IsValid, $"Audit chain broken at {verification.FirstBrokenSequence}: {verification.Problem}");
        Assert.Equal(contract.AuditCount, verification.EntryCount);
        foreach (var (type, count) in new[] { ("payment.received", paid.Count), ("invoice.settled", 2), ("milestone.funded", 2) })
            Assert.True(s.Audit.Count(e => e.Type == type) == count, $"Audit entries of type {type}: {s.Audit.Count(e => e.Type == type)}, expected {count}.");
    }

    /// <summary>
    /// No request ended in a 500 (those log "Unhandled error"), no worker pass failed otherwise than by the database
    /// being away, and no stack trace was logged: each request that met the database away said so in one warning, each
    /// worker in one line when it went and one when it came back. The only errors are EF's one entry per failed
    /// statement (its SQL).
    /// </summary>
    private void AssertLoggedNoErrors(HostProcess host)
    {
        var log = host.Log;
        if (Environment.GetEnvironmentVariable("ESCROW_FAULTS_HOST_LOG") == "1")
            output.WriteLine(log);
        Assert.DoesNotContain("Unhandled error", log);
        Assert.DoesNotContain("pass failed", log);
        Assert.DoesNotContain("crit:", log);
        var lines = log.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("fail:", StringComparison.Ordinal) && !l.StartsWith("fail: Microsoft.EntityFrameworkCore.Database.Command[20102]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.Contains('('));
    }

    /// <summary>A flow whose three people reload a page that says the database is away, as people do.</summary>
    private static EscrowFlow PatientFlow()
    {
        var flow = new EscrowFlow { PaymentsPerInvoice = 3 };
        flow.Staff.ReloadsWhenUnavailable = flow.Client.ReloadsWhenUnavailable = flow.Freelancer.ReloadsWhenUnavailable = true;
        return flow;
    }

    /// <summary>Waits until the agency's page shows what <paramref name="reached"/> looks for, got there by the host alone (workers, reconciliation): nobody acts meanwhile.</summary>
    private async Task WaitForByItselfAsync(EscrowFlow flow, HostProcess host, string what, Func<Observation, bool> reached)
    {
        var watch = Stopwatch.StartNew();
        Observation seen;
        while (!reached(seen = await flow.ObserveAsync()))
        {
            Assert.True(watch.Elapsed < ByItself, $"The host did not get to {what} by itself within {ByItself.TotalSeconds} s: {seen}\n{host.Log}");
            await Task.Delay(100);
        }
        output.WriteLine($"  reached {what} by itself in {watch.ElapsedMilliseconds} ms");
    }

    private static void AssertUnavailablePage(Page page, string what)
    {
        Assert.True(page.Status == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)page.Status} {page.Excerpt()}");
        Assert.Contains("database cannot be reached right now", page.Body);
        Assert.NotNull(page.Find("#ErrorReference"));
        foreach (var leak in new[] { "Exception", "   at ", "Npgsql", "StackTrace" })
            Assert.DoesNotContain(leak, page.Body);
    }

}
