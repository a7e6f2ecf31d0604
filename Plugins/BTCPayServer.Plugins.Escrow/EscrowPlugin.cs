using BTCPayServer.Abstractions.Contracts;
using BTCPayServer.Abstractions.Extensions;
using BTCPayServer.Abstractions.Models;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.NonCustodial;
using BTCPayServer.Plugins.Escrow.Security;
using BTCPayServer.Plugins.Escrow.Services;
using BTCPayServer.Plugins.Escrow.Webhooks;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

// BTCPay gives MVC a plugin's own assembly and the assemblies it names as related; the escrow's pages live in the Web library.
[assembly: RelatedAssembly("BTCPayServer.Plugins.Escrow.Web")]

namespace BTCPayServer.Plugins.Escrow;

/// <summary>BTCPay Escrow inside BTCPay Server: the escrow's pages and services on top of the store's own invoices and pull payments.</summary>
public sealed class EscrowPlugin : BaseBTCPayServerPlugin
{
    public const string StoreNavExtension = "/Views/Shared/EscrowStoreNav.cshtml";

    public override string Identifier => "BTCPayServer.Plugins.Escrow";

    public override IBTCPayServerPlugin.PluginDependency[] Dependencies { get; } =
    [
        new() { Identifier = "BTCPayServer", Condition = ">=2.4.0" },
    ];

    public override void Execute(IServiceCollection services)
    {
        AddStorage(services);
        services.AddEscrowApplication();
        AddApi(services);
        AddPayments(services);
        AddBackgroundWork(services);
        AddWebhooks(services);
        services.AddEscrowPermissions();
        // Under "Plugins": BTCPay renders store-nav only for users who may view store settings, which an arbiter may not.
        // The partial checks the escrow permissions itself.
        services.AddUIExtension("store-integrations-nav", StoreNavExtension);
        base.Execute(services);
    }

    /// <summary>The escrow's tables on BTCPay's PostgreSQL, in their own schema, migrated before any hosted service starts.</summary>
    private static void AddStorage(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EscrowDbContextFactory>();
        services.AddStartupTask<EscrowMigrations>();
        services.AddSingleton(sp => new EfContractStoreFactory(ContextsOf(sp)));
        // Every saved act's events go to BTCPay's event bus, and from there to the store's own webhooks.
        services.AddSingleton<IContractStoreFactory>(sp => new EventPublishingStores(sp.GetRequiredService<EfContractStoreFactory>(), sp.GetRequiredService<IEscrowEventSink>()));
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<EfContractStoreFactory>());
        services.AddSingleton<IContractQueries>(sp => new EfContractQueries(ContextsOf(sp)));
        services.AddSingleton<IStoreSettingsStore>(sp => new EfStoreSettingsStore(ContextsOf(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IGatewayWatchList>(sp => new EfGatewayWatchList(ContextsOf(sp), sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// The REST API (the Web library's <c>Greenfield*</c> controllers) with BTCPay's API keys: the escrow permissions
    /// are offered on BTCPay's API key page (see <see cref="EscrowPermissions"/>); idempotency keys are kept in the
    /// escrow's tables and pruned on BTCPay's scheduler; the API's document is part of BTCPay's <c>/swagger</c>.
    /// </summary>
    private static void AddApi(IServiceCollection services)
    {
        services.AddSingleton<IIdempotencyStore>(sp => new EfIdempotencyStore(ContextsOf(sp)));
        services.AddScheduledTask<IdempotencyRetentionTask>(IdempotencyRetention.Interval);
        services.AddSingleton<ISwaggerProvider, EscrowSwaggerProvider>();
    }

    /// <summary>BTCPay's invoices and pull payments as the escrow's gateway; emails through the store's email settings.</summary>
    private static void AddPayments(IServiceCollection services)
    {
        services.AddSingleton<EscrowLinks>();
        services.AddSingleton<IPublicAddress>(sp => sp.GetRequiredService<EscrowLinks>());
        services.AddSingleton<IAgencyNames, BtcPayAgencyBrands>();
        services.AddSingleton<IPaymentGateway, BtcPayPaymentGateway>();
        services.AddSingleton<IGatewayStateReader, BtcPayGatewayStateReader>();
        services.AddSingleton<GatewayReconciliation>();
        services.AddSingleton<IEscrowNotifier, StoreEmailNotifier>();
        // The non-custodial mode (issue 15): BTCPay's NBXplorer as the chain, the store-wide escrow index counter and the
        // list of escrows to watch in the escrow tables.
        services.AddSingleton<IEscrowChain, BtcPayEscrowChain>();
        services.AddSingleton<IEscrowIndexCounter>(sp => new EfEscrowIndexCounter(ContextsOf(sp)));
        services.AddSingleton<IEscrowWatchList>(sp => new EfEscrowWatchList(ContextsOf(sp), sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// BTCPay's events, and the reconciliation that covers the ones missed (run by BTCPay's scheduler at start-up, then
    /// hourly), go through one queue; timers and the payout outbox are scheduled tasks of their own.
    /// </summary>
    private static void AddBackgroundWork(IServiceCollection services)
    {
        services.AddScheduledTask<EscrowGatewayEvents>(EscrowGatewayEvents.ReconciliationInterval);
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<EscrowGatewayEvents>());
        services.AddScheduledTask<TimerSweepTask>(TimerSweepTask.Interval);
        services.AddScheduledTask<PayoutOutboxTask>(PayoutOutboxTask.Interval);
        // Non-custodial escrows: a pass on each escrow-address transaction and BTC block, and on the scheduler.
        services.AddScheduledTask<EscrowChainEvents>(EscrowChainEvents.Interval);
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<EscrowChainEvents>());
    }

    /// <summary>The escrow events offered to the store's webhooks (Store settings > Webhooks), signed and retried by BTCPay.</summary>
    private static void AddWebhooks(IServiceCollection services)
    {
        services.AddSingleton<IEscrowEventSink, BtcPayEventSink>();
        services.AddWebhookTriggerProvider<EscrowWebhookTriggerProvider>();
        services.AddWebhookTriggerViewModels(EscrowWebhookTriggerProvider.Triggers());
    }

    private static Func<EscrowDbContext> ContextsOf(IServiceProvider services)
    {
        var factory = services.GetRequiredService<EscrowDbContextFactory>();
        return () => factory.CreateContext();
    }
}
