using System.Diagnostics;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Faults;

/// <summary>
/// Gateway events delivered twice, out of order, late, for invoices that turn invalid, and for invoices or pull
/// payments nobody knows, through the real inbound path (<see cref="PaymentEventHandler"/> over
/// <see cref="EfContractStoreFactory"/>) on PostgreSQL, with the agency, the parties and the outbox acting in between
/// (approvals and rulings queue payouts, the outbox makes them claimable, payout-completed events then have targets).
/// After every sequence the contract is read back from the database and the money rules of DESIGN.md are checked on
/// it (see <see cref="EventSequence.CheckStoredAsync"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EventDeliveryProperties(PostgresDatabase database, ITestOutputHelper output)
{
    /// <summary>10,000 sequences: <see cref="Batches"/> CsCheck samples of <see cref="EventSequences.BatchSize"/> contracts.</summary>
    private const int Sequences = 10_000;
    private const int Batches = Sequences / EventSequences.BatchSize;

    /// <summary>Batches side by side: a sequence waits on the database much of the time (4 measured best on 2 cores).</summary>
    private const int Parallel = 4;

    /// <summary>ESCROW_FAULT_SEQUENCES runs fewer (or more) sequences while working on this test; the suite runs 10,000.</summary>
    private static int Iterations => Environment.GetEnvironmentVariable("ESCROW_FAULT_SEQUENCES") is { Length: > 0 } n
        ? Math.Max(1, int.Parse(n) / EventSequences.BatchSize)
        : Batches;

    [Fact]
    public async Task Ten_thousand_sequences_of_duplicated_reordered_late_invalid_and_stray_events_keep_every_money_rule_in_storage()
    {
        var storeId = $"events-{Guid.NewGuid():N}";
        var totals = new EventSequence.Totals();
        var watch = Stopwatch.StartNew();

        await EventSequences.Batch.SampleAsync(async batch =>
        {
            // Each contract starts where its prelude (in memory) left it; a batch is stored in one transaction.
            var runs = batch.Select(shape => new EventSequence(database, shape, storeId)).ToList();
            await using (var seed = database.NewStore())
                await seed.AddManyAsync(runs.Select(r => r.Contract).ToList(), CancellationToken.None);
            foreach (var run in runs)
            {
                await run.PlayAsync();
                await run.CheckStoredAsync();
                totals.Add(run);
            }
        }, iter: Iterations, threads: Parallel, print: batch => string.Join("\n", batch.Select(s => s.ToString())));

        output.WriteLine($"{totals.Sequences} sequences in {watch.Elapsed.TotalSeconds:F0} s: {totals}");
        Assert.Equal(Iterations * EventSequences.BatchSize, totals.Sequences);
        await AssertNoDecisionPaidTwiceInTheDatabaseAsync(storeId);

        // The generator must really reach every case, or the property proves nothing about it (per 100 sequences).
        var per100 = totals.Sequences / 100.0;
        Assert.True(totals.AppliedThroughStorage > 150 * per100, $"only {totals.AppliedThroughStorage} events applied through storage");
        Assert.True(totals.Duplicates > 30 * per100, $"only {totals.Duplicates} duplicate deliveries");
        Assert.True(totals.Reordered > 15 * per100, $"only {totals.Reordered} events delivered out of order");
        Assert.True(totals.NotOurs > 10 * per100, $"only {totals.NotOurs} events for unknown invoices and pull payments");
        Assert.True(totals.LateEvents > 10 * per100, $"only {totals.LateEvents} payments after expiry");
        Assert.True(totals.InvalidInvoices > 10 * per100, $"only {totals.InvalidInvoices} invalid invoices");
        Assert.True(totals.Payouts > 50 * per100, $"only {totals.Payouts} payout instructions");
        Assert.True(totals.PayoutsCompletedThroughStorage > 3 * per100, $"only {totals.PayoutsCompletedThroughStorage} payouts completed through storage");
        Assert.True(totals.ActsThroughStorage > 15 * per100, $"only {totals.ActsThroughStorage} decisions stored between events");
    }

    /// <summary>The database's own view across every sequence: one release and one refund per milestone, unique keys.</summary>
    private async Task AssertNoDecisionPaidTwiceInTheDatabaseAsync(string storeId)
    {
        await using var db = database.NewContext();
        var ours = db.Contracts.Where(c => c.StoreId == storeId).Select(c => c.Id);
        var payouts = db.PayoutInstructions.Where(p => ours.Contains(p.ContractId));
        Assert.True(await payouts.CountAsync() > 0);
        Assert.Equal(0, await payouts.Where(p => p.MilestoneId != null).GroupBy(p => new { p.MilestoneId, p.Kind }).CountAsync(g => g.Count() > 1));
        Assert.Equal(0, await payouts.GroupBy(p => p.Key).CountAsync(g => g.Count() > 1));
        Assert.Equal(0, await payouts.Where(p => p.PullPaymentId != null).GroupBy(p => p.PullPaymentId).CountAsync(g => g.Count() > 1));
    }
}
