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

    /// <summary>
    /// The chain's height and the store's escrow fee rate for a page. A chain that is missing or fails to answer gives
    /// no height (the page says so), never a broken page and never a guessed height.
    /// </summary>
    public static async Task<EscrowChainNow> ChainNowAsync(IServiceProvider services, string storeId, CancellationToken cancellationToken)
    {
        var rate = services.GetService<IStoreSettingsStore>() is { } settings ? (await settings.GetAsync(storeId, cancellationToken)).NetworkFeeRate : null;
        if (!AreAvailable(services))
            return new EscrowChainNow(null, rate);
        var chain = services.GetRequiredService<IEscrowChain>();
        try
        {
            return new EscrowChainNow(await chain.IsAvailableAsync(cancellationToken) ? await chain.GetHeightAsync(cancellationToken) : null, rate);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new EscrowChainNow(null, rate);
        }
    }

    public static EscrowChainWatcher? Watcher(IServiceProvider services) =>
        AreAvailable(services) ? services.GetRequiredService<EscrowChainWatcher>() : null;
}
