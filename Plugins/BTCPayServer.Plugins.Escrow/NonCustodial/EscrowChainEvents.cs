using BTCPayServer.Events;
using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AddressTrackedSource = NBXplorer.Models.AddressTrackedSource;
using NewBlockEvent = BTCPayServer.Events.NewBlockEvent;

namespace BTCPayServer.Plugins.Escrow.NonCustodial;

/// <summary>
/// Non-custodial contracts inside BTCPay: one pass of the escrow's chain watcher (escrow addresses, funding seen
/// on chain, signing rounds for queued payouts, re-broadcasts, confirmations) whenever BTCPay's NBXplorer listener
/// reports a transaction on a tracked address or a new BTC block, and on BTCPay's scheduler every
/// <see cref="Interval"/> (which also covers whatever happened while BTCPay was down). Passes run one at a time; an event
/// that arrived before the start of a pass already covered it is skipped, so a block confirming many escrows costs one pass.
/// </summary>
public sealed class EscrowChainEvents(
    EventAggregator eventAggregator,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<EscrowChainEvents> logger) : EventHostedServiceBase(eventAggregator, logger), IPeriodicTask
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>A reason to look at the chain, with when it arrived.</summary>
    private sealed record PassRequest(DateTimeOffset At);

    private readonly List<IEventAggregatorSubscription> _subscriptions = [];
    private DateTimeOffset _lastPassStarted = DateTimeOffset.MinValue;

    public Task Do(CancellationToken cancellationToken) =>
        RunEvent(new PassRequest(clock.GetUtcNow()), cancellationToken).WaitAsync(cancellationToken);

    protected override void SubscribeToEvents()
    {
        // Stamped when BTCPay publishes them (not when the queue reaches them), so a pass that started later covers them.
        _subscriptions.Add(EventAggregator.Subscribe<NewOnChainTransactionEvent>(e =>
        {
            if (Concerns(e))
                PushEvent(new PassRequest(clock.GetUtcNow()));
        }));
        _subscriptions.Add(EventAggregator.Subscribe<NewBlockEvent>(e =>
        {
            if (Concerns(e))
                PushEvent(new PassRequest(clock.GetUtcNow()));
        }));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
            subscription.Dispose();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>
    /// BTCPay publishes these for every store's wallet too: only BTC, and for transactions only plain tracked addresses
    /// (the escrow tracks each escrow address as one; a store's wallet is a derivation scheme).
    /// </summary>
    public static bool Concerns(object evt) => evt switch
    {
        NewOnChainTransactionEvent e => IsBtc(e.PaymentMethodId?.ToString()) && e.NewTransactionEvent?.TrackedSource is AddressTrackedSource,
        NewBlockEvent e => IsBtc(e.PaymentMethodId?.ToString()),
        _ => false,
    };

    private static bool IsBtc(string? paymentMethodId) => paymentMethodId == BtcPayEscrowChain.CryptoCode + "-CHAIN";

    protected override async Task ProcessEvent(object evt, CancellationToken cancellationToken)
    {
        if (evt is not PassRequest request || request.At < _lastPassStarted)
            return;
        _lastPassStarted = clock.GetUtcNow();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (NonCustodialServices.Watcher(scope.ServiceProvider) is not { } watcher)
                return;
            var report = await watcher.RunAsync(cancellationToken);
            if (report.EscrowsMade + report.EventsApplied + report.SpendsOpened + report.SpendsConfirmed > 0)
                logger.LogInformation(
                    "Escrow chain: {Made} escrow address(es) made, {Events} payment event(s) applied, {Opened} signing round(s) opened, {Confirmed} spend(s) confirmed",
                    report.EscrowsMade, report.EventsApplied, report.SpendsOpened, report.SpendsConfirmed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Escrow chain pass failed; the next block or the scheduler tries again");
        }
    }
}
