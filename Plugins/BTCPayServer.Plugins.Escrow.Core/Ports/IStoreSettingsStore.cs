using BTCPayServer.Plugins.Escrow.Core.Stores;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

public interface IStoreSettingsStore
{
    /// <summary>The store's settings, or <see cref="StoreEscrowSettings.Default"/> when it never saved any.</summary>
    Task<StoreEscrowSettings> GetAsync(string storeId, CancellationToken cancellationToken);

    Task SaveAsync(string storeId, StoreEscrowSettings settings, CancellationToken cancellationToken);
}
