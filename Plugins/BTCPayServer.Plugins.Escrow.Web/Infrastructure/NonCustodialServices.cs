using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// The non-custodial mode is offered only by a host that supplies its ports: the chain, the store-wide escrow index
/// counter and the watch list. Pages and workers ask here instead of failing on a missing service.
/// </summary>
public static class NonCustodialServices
{
    public static bool AreAvailable(IServiceProvider services) =>
        services.GetService<IEscrowChain>() is not null && services.GetService<IEscrowIndexCounter>() is not null
        && services.GetService<IEscrowWatchList>() is not null;

    public static NonCustodialEscrows? Escrows(IServiceProvider services) =>
        AreAvailable(services) ? services.GetRequiredService<NonCustodialEscrows>() : null;

    public static EscrowChainWatcher? Watcher(IServiceProvider services) =>
        AreAvailable(services) ? services.GetRequiredService<EscrowChainWatcher>() : null;
}
