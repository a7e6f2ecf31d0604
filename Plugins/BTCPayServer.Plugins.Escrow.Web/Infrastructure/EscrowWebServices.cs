using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

public static class EscrowWebServices
{
    /// <summary>
    /// Registers Core's application services. The host supplies the ports: IContractStoreFactory, IContractQueries,
    /// IAuditLog, IPaymentGateway, IEscrowNotifier and a TimeProvider.
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
        return services;
    }
}
