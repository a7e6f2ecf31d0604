using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
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
            AddSandboxChain(services, options, dataDir);
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

    /// <summary>
    /// The non-custodial mode's chain next to the sandbox gateway (and only there): one persistent sandbox chain, its
    /// wallet page and test-only signer. Its journal lives in its own SQLite file per network; the start-up gate replays it.
    /// </summary>
    private static void AddSandboxChain(IServiceCollection services, EscrowHostOptions options, string dataDir)
    {
        var network = SandboxNetwork.Parse(options.SandboxNetwork);
        services.AddSingleton(network);
        services.AddDbContextFactory<SandboxWalletDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(dataDir, $"sandbox-wallet-{network.Name}.db")}"));
        services.AddSingleton<SandboxChainStore>();
        services.AddSingleton<IEscrowChain>(sp => new SandboxEscrowChain(sp.GetRequiredService<SandboxChainStore>().Chain));
        services.AddSingleton<SandboxWallet>();
        services.AddSingleton<SandboxSigner>();
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
