using BTCPayServer.Data;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Services;
using BTCPayServer.Services.Stores;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The store's name, logo and brand colour (Store settings > Branding) for the party pages, as BTCPay's own public pages
/// show them. The logo is resolved against the server's Base URL; without one the page shows the name only.
/// </summary>
public sealed class BtcPayAgencyBrands(StoreRepository stores, UriResolver uris, EscrowLinks links) : IAgencyNames
{
    public async Task<AgencyBrand> BrandOfAsync(string storeId, CancellationToken cancellationToken)
    {
        var store = await stores.FindStore(storeId);
        if (store is null)
            return AgencyBrand.None;
        var blob = store.GetStoreBlob();
        string? logo = null;
        if (blob.LogoUrl is not null)
        {
            try
            {
                logo = await uris.Resolve(new Uri(links.BaseUrl() + "/"), blob.LogoUrl);
            }
            catch (EscrowException)
            {
                // No Base URL: no address to resolve an uploaded file against.
            }
        }
        return new AgencyBrand(store.StoreName, logo, blob.BrandColor);
    }
}
