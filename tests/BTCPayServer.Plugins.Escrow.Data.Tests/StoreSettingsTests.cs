using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

public abstract class StoreSettingsTests(StoreDatabase database)
{
    private EfStoreSettingsStore Store() => new(database.NewContext, Build.Clock());

    [Fact]
    public async Task A_store_without_settings_gets_the_defaults_and_saved_settings_come_back_whole()
    {
        var storeId = Build.Unique("store");
        Assert.Equal(StoreEscrowSettings.Default, await Store().GetAsync(storeId, CancellationToken.None));
        var settings = new StoreEscrowSettings
        {
            DefaultCurrency = "usd", DefaultFx = FxPolicy.BtcLocked, DefaultFeePercent = 2.5m, DefaultFeeFixed = 1.25m,
            DefaultFeePayer = FeePayer.Client, DefaultOverpayment = OverpaymentHandling.Refund, DefaultReviewWindowDays = 10,
            DefaultDisputeWindowDays = 3, PaymentMethods = ["BTC-LN"], PayoutMethods = ["btc-chain", "BTC-LN"], AutoApproveClaims = false,
        };

        await Store().SaveAsync(storeId, settings, CancellationToken.None);
        var stored = await Store().GetAsync(storeId, CancellationToken.None);

        Assert.Equal("USD", stored.DefaultCurrency);
        Assert.Equal(FxPolicy.BtcLocked, stored.DefaultFx);
        Assert.Equal(2.5m, stored.DefaultFeePercent);
        Assert.Equal(1.25m, stored.DefaultFeeFixed);
        Assert.Equal(FeePayer.Client, stored.DefaultFeePayer);
        Assert.Equal(["BTC-LN"], stored.PaymentMethods);
        Assert.Equal(["BTC-CHAIN", "BTC-LN"], stored.PayoutMethods);
        Assert.False(stored.AutoApproveClaims);
        Assert.Equal(StoreEscrowSettings.Default, await Store().GetAsync(Build.Unique("other-store"), CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_settings_are_refused_and_the_stored_ones_stay()
    {
        var storeId = Build.Unique("store");
        await Store().SaveAsync(storeId, new StoreEscrowSettings { DefaultReviewWindowDays = 5 }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => Store().SaveAsync(storeId, new StoreEscrowSettings { PayoutMethods = ["PAYPAL"] }, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => Store().SaveAsync(storeId, new StoreEscrowSettings { PaymentMethods = [] }, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => Store().SaveAsync(storeId, new StoreEscrowSettings { DefaultFeeFixed = 0.001m, DefaultCurrency = "USD" }, CancellationToken.None));

        Assert.Equal("payoutMethods", error.Field);
        Assert.Equal(5, (await Store().GetAsync(storeId, CancellationToken.None)).DefaultReviewWindowDays);
    }
}
