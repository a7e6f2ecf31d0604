using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// Start-up reconciliation through real storage: what the gateway says now is fed through the idempotent inbound path,
/// so events missed while the host was down are caught up, and nothing already applied is applied again.
/// </summary>
public abstract class ReconciliationTests(StoreDatabase database)
{
    private sealed class GatewayNow : IGatewayStateReader
    {
        public Dictionary<string, GatewayInvoiceState> Invoices { get; } = [];
        public Dictionary<string, List<GatewayPayoutStatus>> Payouts { get; } = [];
        public List<int> InvoiceBatches { get; } = [];
        public int SingleInvoiceReads { get; private set; }

        public Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
        {
            SingleInvoiceReads++;
            return Task.FromResult(Invoices.GetValueOrDefault(invoiceId));
        }

        public Task<IReadOnlyList<GatewayInvoiceState>> GetInvoicesAsync(IReadOnlyList<string> invoiceIds, CancellationToken cancellationToken)
        {
            InvoiceBatches.Add(invoiceIds.Count);
            return Task.FromResult<IReadOnlyList<GatewayInvoiceState>>([.. invoiceIds.Select(Invoices.GetValueOrDefault).OfType<GatewayInvoiceState>()]);
        }

        public Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<GatewayPayoutStatus>>(Payouts.GetValueOrDefault(pullPaymentId) ?? []);
    }

    private GatewayReconciliation Reconciliation(GatewayNow gateway, TimeProvider clock, IContractStoreFactory? stores = null) =>
        new(new EfGatewayWatchList(database.NewContext, clock), gateway,
            new PaymentEventHandler(stores ?? new EfContractStoreFactory(database.NewContext), clock), clock);

    /// <summary>Counts the units of work opened: applying an event opens one; nothing else in reconciliation loads a contract.</summary>
    private sealed class CountingStores(IContractStoreFactory inner) : IContractStoreFactory
    {
        private int _opened;
        public int Opened => _opened;

        public IContractStore Open()
        {
            Interlocked.Increment(ref _opened);
            return inner.Open();
        }
    }

    [Fact]
    public async Task Reconciliation_reads_the_gateway_in_batches_and_loads_only_contracts_with_something_new()
    {
        var clock = Build.Clock();
        var gateway = new GatewayNow();
        var handler = new PaymentEventHandler(new EfContractStoreFactory(database.NewContext), clock);
        var changed = new List<(Guid Contract, FundingInvoice Invoice)>();
        for (var i = 0; i < GatewayReconciliation.BatchSize + 5; i++)
        {
            var contract = Build.Draft(clock);
            Build.Activate(contract, clock);
            var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
            await database.AddAsync(contract);
            var payment = new GatewayPayment(Build.Payment(invoice.Amount, Build.Unique("pay"), 50_000m), false);
            if (i % 10 == 0)
            {
                // Already told: the gateway still reports the payment, which was applied live.
                await handler.HandleAsync(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, invoice.InvoiceId, clock.GetUtcNow(), [payment], payment.Report)!, CancellationToken.None);
                gateway.Invoices[invoice.InvoiceId] = new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.New, GatewayInvoiceExceptionStatus.None, [payment]);
            }
            else if (i is 3 or 57)
            {
                // Missed: settled while the host was down.
                gateway.Invoices[invoice.InvoiceId] = new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.Settled, GatewayInvoiceExceptionStatus.None, [payment]);
                changed.Add((contract.Id, invoice));
            }
            else
                gateway.Invoices[invoice.InvoiceId] = new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.New, GatewayInvoiceExceptionStatus.None, []);
        }
        var stores = new CountingStores(new EfContractStoreFactory(database.NewContext));

        var report = await Reconciliation(gateway, clock, stores).RunAsync(CancellationToken.None);

        Assert.Equal(4, report.EventsApplied); // two payments, two settlements
        Assert.True(report.InvoicesChecked >= GatewayReconciliation.BatchSize + 5);
        Assert.All(gateway.InvoiceBatches, size => Assert.InRange(size, 1, GatewayReconciliation.BatchSize));
        Assert.Equal((report.InvoicesChecked + GatewayReconciliation.BatchSize - 1) / GatewayReconciliation.BatchSize, gateway.InvoiceBatches.Count);
        Assert.Equal(0, gateway.SingleInvoiceReads);
        // One unit of work per event applied; the eleven invoices whose payment was applied live load nothing.
        Assert.Equal(4, stores.Opened);
        foreach (var (contractId, invoice) in changed)
            Assert.Equal(invoice.Amount, (await database.LoadAsync(contractId)).Milestones[0].Funded);
    }

    [Fact]
    public async Task An_invoice_settled_while_the_host_was_down_is_counted_once_however_often_reconciliation_runs()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        await database.AddAsync(contract);
        var gateway = new GatewayNow();
        var payment = Build.Payment(invoice.Amount, Build.Unique("pay"), 50_000m);
        gateway.Invoices[invoice.InvoiceId] = new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.Settled, GatewayInvoiceExceptionStatus.None, [new GatewayPayment(payment, false)]);

        var first = await Reconciliation(gateway, clock).RunAsync(CancellationToken.None);
        var afterFirst = await database.LoadAsync(contract.Id);
        var second = await Reconciliation(gateway, clock).RunAsync(CancellationToken.None);
        var afterSecond = await database.LoadAsync(contract.Id);

        Assert.Equal(2, first.EventsApplied); // the payment, then the settlement
        Assert.Equal(MilestoneState.Funded, afterFirst.Milestones[0].State);
        Assert.Equal(invoice.Amount, afterFirst.Milestones[0].Funded);
        Assert.Equal(0, second.EventsApplied); // the settled invoice is no longer watched
        Assert.Equal(afterFirst.AuditCount, afterSecond.AuditCount);
        Assert.Equal(afterFirst.Ledger, afterSecond.Ledger);
    }

    [Fact]
    public async Task Reconciling_after_the_live_events_were_applied_changes_nothing()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        await database.AddAsync(contract);
        var payment = new GatewayPayment(Build.Payment(invoice.Amount, Build.Unique("pay"), 50_000m), false);
        var handler = new PaymentEventHandler(new EfContractStoreFactory(database.NewContext), clock);
        // The live events: the payment is seen (invoice still new in the gateway), then it is confirmed.
        await handler.HandleAsync(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, invoice.InvoiceId, clock.GetUtcNow(), [payment], payment.Report)!, CancellationToken.None);
        var gateway = new GatewayNow();
        gateway.Invoices[invoice.InvoiceId] = new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.New, GatewayInvoiceExceptionStatus.None, [payment]);
        var beforeReconcile = await database.LoadAsync(contract.Id);

        var report = await Reconciliation(gateway, clock).RunAsync(CancellationToken.None);

        Assert.Equal(0, report.EventsApplied);
        Assert.Equal(beforeReconcile.AuditCount, (await database.LoadAsync(contract.Id)).AuditCount);
        Assert.Equal(MilestoneState.Pending, beforeReconcile.Milestones[0].State); // seen, not yet counted
    }

    [Fact]
    public async Task A_payout_completed_while_the_host_was_down_is_recorded_and_no_longer_watched()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        var milestone = contract.Milestones[0].Id;
        contract.SubmitDeliverable(milestone, "Done", [], [], clock.GetUtcNow());
        contract.Approve(milestone, clock.GetUtcNow());
        var release = contract.Payouts.Single(p => p.Kind == PayoutKind.Release);
        var pullPaymentId = Build.Unique("pp");
        contract.MarkPayoutClaimable(release.Id, pullPaymentId, "https://pay.example.com/pp", clock.GetUtcNow());
        await database.AddAsync(contract);
        var watch = new EfGatewayWatchList(database.NewContext, clock);
        Assert.Contains(pullPaymentId, await watch.ListWatchedPullPaymentsAsync(CancellationToken.None));
        var gateway = new GatewayNow();
        gateway.Payouts[pullPaymentId] = [new GatewayPayoutStatus("po-1", GatewayPayoutState.AwaitingPayment), new GatewayPayoutStatus("po-2", GatewayPayoutState.Completed)];

        var report = await Reconciliation(gateway, clock).RunAsync(CancellationToken.None);

        Assert.Equal(1, report.EventsApplied);
        var stored = await database.LoadAsync(contract.Id);
        Assert.Equal(PayoutStatus.Completed, stored.Payout(release.Id).Status);
        Assert.DoesNotContain(pullPaymentId, await watch.ListWatchedPullPaymentsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Expired_invoices_stay_watched_for_late_payments_for_thirty_days()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1);
        contract.ApplyPaymentEvent(new InboundPaymentEvent(Build.Unique("evt"), InboundEventKind.InvoiceExpired, clock.GetUtcNow(), invoice.InvoiceId), clock.GetUtcNow());
        await database.AddAsync(contract);

        Assert.Contains(invoice.InvoiceId, await new EfGatewayWatchList(database.NewContext, clock).ListWatchedInvoicesAsync(CancellationToken.None));
        clock.Advance(EfGatewayWatchList.LatePaymentWatch + TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(invoice.InvoiceId, await new EfGatewayWatchList(database.NewContext, clock).ListWatchedInvoicesAsync(CancellationToken.None));
    }
}
