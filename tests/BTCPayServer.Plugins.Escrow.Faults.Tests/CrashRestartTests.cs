using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>Crashes up to the client's approval. (Two classes so that xunit runs the two halves side by side.)</summary>
public sealed class CrashBeforePayoutTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CrashCases.BeforePayout), MemberType = typeof(CrashCases))]
    public Task Killed_at_point_then_restarted_loses_and_doubles_nothing(string crashAt) => CrashRestart.RunAsync(CrashCases.Get(crashAt), output);
}

/// <summary>Crashes in the outbox, pull payment, claim and payout-completed steps, and in the second milestone.</summary>
public sealed class CrashInPayoutTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CrashCases.Payout), MemberType = typeof(CrashCases))]
    public Task Killed_at_point_then_restarted_loses_and_doubles_nothing(string crashAt) => CrashRestart.RunAsync(CrashCases.Get(crashAt), output);
}

/// <summary>
/// One case: start the host with the crash switch armed on a fresh data folder, drive the flow until the host dies
/// (it must die, by SIGKILL, at exactly that point), restart it on the same folder without the switch, check what
/// the agency sees, finish the flow as the people would, then check the pages and the stored data.
/// </summary>
public static class CrashRestart
{
    public static async Task RunAsync(CrashCase c, ITestOutputHelper output)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "escrow-faults", $"{c.At.Replace('#', '-')}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dataDir);
        var flow = new EscrowFlow();
        var started = DateTime.UtcNow;
        HostProcess? host = null;
        try
        {
            // 1. Run until the switch kills the host.
            host = await HostProcess.StartAsync(dataDir, c.At);
            var stop = await Record.ExceptionAsync(() => flow.RunToEndAsync(host));
            Assert.True(stop is HostDiedException, $"The host was to die at {c.At} but the flow {(stop is null ? "finished" : $"failed: {stop}")}\nSteps: {string.Join(" → ", flow.Steps)}\n{host.Log}");
            Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(10)), "The host did not exit.");
            Assert.Equal(137, host.ExitCode); // 128 + SIGKILL: killed, not stopped
            Assert.Equal(c.At, host.CrashedAt());
            Assert.NotNull(flow.ContractId);
            output.WriteLine($"Killed at {c.At} after: {string.Join(" → ", flow.Steps)}");
            await host.DisposeAsync();
            var died = DateTime.UtcNow - started;

            // 2. Restart without the switch on the same data: the reconciliation ran before the first answer.
            host = await HostProcess.StartAsync(dataDir, crashAt: null);
            Assert.Null(host.CrashedAt());
            var restarted = DateTime.UtcNow - started;
            flow.Use(host);
            var afterRestart = (await flow.ObserveAsync()).ToString();
            output.WriteLine($"After the restart: {afterRestart}");
            Assert.True(c.AfterRestart.Contains(afterRestart), $"After a crash at {c.At} the agency should see one of [{string.Join("] or [", c.AfterRestart)}], not [{afterRestart}].");

            // 3. Finish, retrying what the crash interrupted.
            flow.Step("— restart —");
            await flow.RunToEndAsync(host);
            output.WriteLine($"Steps: {string.Join(" → ", flow.Steps)}");

            var finished = DateTime.UtcNow - started;
            // 4. What the pages say.
            var receipt = await flow.Client.OpenAsync($"/escrow/receipt/{flow.ContractId}");
            Assert.StartsWith("Verified", receipt.Get("#ReceiptVerification").TextContent.Trim());
            var details = await flow.Staff.OpenAsync($"/stores/{HostProcess.StoreId}/plugins/escrow/contracts/{flow.ContractId}");
            Assert.Contains("verified", details.Get("#AuditVerification").TextContent);
            Assert.Equal("0.00000000 BTC", details.Get("#LedgerBalance").TextContent.Trim());
            Assert.Equal($"{EscrowFlow.Amounts.Sum():F8} BTC", details.Get("#LedgerReleased").TextContent.Trim());
            // Nothing went wrong on the host's side after the restart (errors log as "fail:", "crit:").
            Assert.DoesNotContain("fail:", host.Log);
            Assert.DoesNotContain("crit:", host.Log);
            await host.DisposeAsync();
            host = null;

            // 5. What is stored.
            CompletedFlow.AssertStored(await Stored.ReadAsync(dataDir, flow.ContractId!.Value), c.SandboxInvoices);
            output.WriteLine($"{c.At}: died at {died.TotalSeconds:F1} s, answering again at {restarted.TotalSeconds:F1} s, finished at {finished.TotalSeconds:F1} s, checked at {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        }
        catch
        {
            if (host is not null)
                output.WriteLine(host.Log);
            throw;
        }
        finally
        {
            if (host is not null)
                await host.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held: the temp folder is cleaned later
        }
    }
}

/// <summary>What a finished flow of <see cref="EscrowFlow"/> must have left stored, however it got there.</summary>
public static class CompletedFlow
{
        /// <param name="sandboxInvoices">Invoices the sandbox holds: one per milestone, and one more for each orphan (made, never registered, never paid).</param>
    public static void AssertStored(Stored s, int sandboxInvoices)
    {
        var contract = s.Contract;
        var total = EscrowFlow.Amounts.Sum();

        // Every milestone ended released, funded and paid exactly its amount.
        Assert.Equal(ContractState.Completed, contract.State);
        Assert.Equal(EscrowFlow.Amounts.Length, contract.Milestones.Count);
        foreach (var m in contract.Milestones)
        {
            Assert.Equal(MilestoneState.Released, m.State);
            Assert.Equal(m.Amount.Amount, m.Funded.Amount);
            Assert.Equal(m.Amount.Amount, m.ReleasedToFreelancer.Amount);
            Assert.Equal(0m, m.RefundedToClient.Amount);
        }

        // Exactly one payout instruction per decision (one release per milestone), each completed.
        Assert.Equal(contract.Milestones.Count, contract.Payouts.Count);
        foreach (var m in contract.Milestones)
        {
            var payout = Assert.Single(contract.Payouts, p => p.MilestoneId == m.Id);
            Assert.Equal(PayoutKind.Release, payout.Kind);
            Assert.Equal(PartyRole.Freelancer, payout.Recipient);
            Assert.Equal(PayoutStatus.Completed, payout.Status);
            Assert.Equal(m.Amount.Amount, payout.Amount.Amount);
        }
        Assert.Equal(contract.Payouts.Count, contract.Payouts.Select(p => p.Key).Distinct().Count());

        // Exactly one sandbox pull payment per instruction: the one the instruction recorded, claimed once.
        Assert.Equal(contract.Payouts.Count, s.PullPayments.Count);
        foreach (var payout in contract.Payouts)
        {
            var pullPayment = Assert.Single(s.PullPayments, p => p.Reference == payout.Key);
            Assert.Equal(payout.PullPaymentId, pullPayment.Id);
            Assert.Equal("Completed", pullPayment.Status);
            Assert.Equal(payout.PayoutAmount.Amount, pullPayment.Amount);
        }

        // Invoices: two registered and settled, each paid once; any orphan (made, never registered) was never paid.
        Assert.Equal(sandboxInvoices, s.Invoices.Count);
        Assert.Equal(EscrowFlow.Amounts.Length, contract.Invoices.Count);
        foreach (var invoice in contract.Invoices)
        {
            Assert.Equal(InvoiceStatus.Settled, invoice.Status);
            Assert.Equal("Settled", Assert.Single(s.Invoices, i => i.Id == invoice.InvoiceId).Status);
            // Each payment the gateway took (one, or several parts) is counted once, with its amount.
            var paid = s.Payments.Where(p => p.InvoiceId == invoice.InvoiceId).ToList();
            Assert.NotEmpty(paid);
            foreach (var payment in paid)
            {
                var counted = Assert.Single(contract.Payments, p => p.PaymentId == payment.Id);
                Assert.Equal(PaymentStatus.Counted, counted.Status);
                Assert.Equal(payment.Amount, counted.Credited.Amount);
            }
        }
        Assert.Equal(s.Payments.Count, contract.Payments.Count);

        // The ledger: everything received was released, nothing is left or owed.
        var ledger = EscrowLedger.Of(contract);
        Assert.Equal(total, ledger.Received.Amount);
        Assert.Equal(total, ledger.Funded.Amount);
        Assert.Equal(total, ledger.ReleasedToFreelancer.Amount);
        Assert.Equal(0m, ledger.FeesRetained.Amount);
        Assert.Equal(0m, ledger.RefundedToClient.Amount);
        Assert.Equal(0m, ledger.Credit.Amount);
        Assert.Equal(0m, ledger.AwaitingAcceptance.Amount);
        Assert.Equal(0m, ledger.Balance.Amount);
        Assert.Equal(0m, EscrowLedger.HeldByParts(contract).Amount);

        // The audit chain verifies end to end, up to the head the contract row remembers, and tells each fact once.
        var verification = AuditChain.Verify(s.Audit);
        Assert.True(verification.IsValid, $"Audit chain broken at {verification.FirstBrokenSequence}: {verification.Problem}");
        Assert.Equal(contract.AuditCount, verification.EntryCount);
        Assert.Equal(contract.AuditHeadHash, verification.HeadHash);
        var milestones = contract.Milestones.Count;
        foreach (var (type, count) in new[]
                 {
                     ("invoice.created", milestones), ("payment.received", s.Payments.Count), ("invoice.settled", milestones), ("milestone.funded", milestones),
                     ("milestone.submitted", milestones), ("milestone.approved", milestones), ("payout.queued", milestones),
                     ("payout.claimable", milestones), ("milestone.released", milestones), ("payout.completed", milestones), ("contract.completed", 1),
                 })
            Assert.True(s.Audit.Count(e => e.Type == type) == count, $"Audit entries of type {type}: {s.Audit.Count(e => e.Type == type)}, expected {count}.");
    }
}
