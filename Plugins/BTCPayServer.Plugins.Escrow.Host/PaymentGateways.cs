using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.Host.Greenfield;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// The host's one payment gateway, chosen by Escrow:Gateway: the sandbox (no real funds, the default) or a BTCPay store
/// over Greenfield. Exactly one is registered, and the other's endpoints do not exist: the sandbox's pages are never
/// served next to real payments, nor BTCPay's webhook next to the sandbox.
/// </summary>
public static class PaymentGateways
{
    public static void AddPaymentGateway(this WebApplicationBuilder builder, EscrowHostOptions options, string dataDir, Func<EscrowDbContext> createContext)
    {
        var services = builder.Services;
        services.AddSingleton<IGatewayWatchList>(sp => new EfGatewayWatchList(createContext, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<GatewayReconciliation>();
        services.AddSingleton<Workers.MissedGatewayEvents>();
        var sandbox = options.IsSandbox();
        services.AddMvcCore().ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyGatewayControllers(sandbox)));
        if (sandbox)
        {
            services.AddSingleton<SandboxClock>();
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SandboxClock>());
            services.AddDbContextFactory<SandboxDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(dataDir, "sandbox.db")}"));
            services.AddSingleton<SandboxLinks>();
            services.AddSingleton<IPaymentGateway, SandboxPaymentGateway>();
            services.AddSingleton<SandboxCashier>();
            // Start-up reconciliation: what the sandbox recorded but the escrow never heard (the host stopped in between).
            services.AddSingleton<IGatewayStateReader, SandboxGatewayStateReader>();
            return;
        }
        var connection = options.BTCPay;
        connection.BaseUri();
        services.AddSingleton(connection);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GreenfieldClient(
            new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
            connection, sp.GetRequiredService<ILogger<GreenfieldClient>>()));
        services.AddSingleton<IPaymentGateway, GreenfieldPaymentGateway>();
        services.AddSingleton<IGatewayStateReader, GreenfieldStateReader>();
        services.AddSingleton(sp => new WebhookRegistration(sp.GetRequiredService<GreenfieldClient>(), sp.GetRequiredService<IDataProtectionProvider>(), dataDir));
        services.AddSingleton<SeenDeliveries>();
        services.AddHostedService<RemoteBTCPayStartup>();
    }

    /// <summary>Drops the controllers of the gateway not in use.</summary>
    private sealed class OnlyGatewayControllers(bool sandbox) : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            var unused = sandbox ? typeof(BTCPayWebhookController).Namespace : typeof(SandboxController).Namespace;
            foreach (var controller in feature.Controllers.Where(c => c.Namespace == unused).ToList())
                feature.Controllers.Remove(controller);
        }
    }
}
