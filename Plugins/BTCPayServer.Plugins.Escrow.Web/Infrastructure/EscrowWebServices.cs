using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class EscrowWebServices
{
    /// <summary>
    /// Registers Core's application services and the pages' own. The host supplies the ports: IContractStoreFactory, IContractQueries,
    /// IAuditLog, IPaymentGateway, IEscrowNotifier, IIdempotencyStore (for the API) and a TimeProvider.
    /// </summary>
    public static IServiceCollection AddEscrowApplication(this IServiceCollection services)
    {
        services.AddScoped<ContractDrafting>();
        services.AddScoped<PartyActions>();
        services.AddScoped<AgencyDecisions>();
        services.AddScoped<AuditReceipt>();
        services.AddSingleton<PaymentEventHandler>();
        services.AddSingleton<TimerSweep>();
        services.AddSingleton<PayoutDispatcher>();
        services.AddSingleton<IdempotencyRetention>();
        // Non-custodial mode: resolved only where the host registered the chain (IEscrowChain), the index counter
        // (IEscrowIndexCounter) and the watch list (IEscrowWatchList); see NonCustodialServices.
        services.AddScoped<NonCustodialEscrows>();
        services.AddScoped<EscrowChainWatcher>();
        // The public "Email me my link" page: answered at once, worked through in the background, limited per client and address.
        services.AddScoped<LinkRequests>();
        services.AddSingleton<LinkRequestQueue>();
        services.AddSingleton<LinkRequestLimits>();
        services.AddHostedService<LinkRequestWorker>();
        // The way back from checkout without a token in the address (needs Data Protection, which every ASP.NET Core MVC app has).
        services.AddSingleton<CheckoutReturnProof>();
        // A host that knows its stores' names registers its own before this; otherwise the pages say "the agency".
        services.TryAddSingleton<IAgencyNames>(new FixedAgencyName(null));
        return services;
    }
}
