using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Web.Models;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>
/// The store's escrow settings: defaults for new contracts (fee amounts as strings, windows in days), the payment and
/// payout methods offered, and whether payout claims are approved automatically.
/// </summary>
public sealed record SettingsData(
    string DefaultCurrency, FxPolicy DefaultFx, string DefaultFeePercent, string DefaultFeeFixed, FeePayer DefaultFeePayer,
    OverpaymentHandling DefaultOverpayment, int DefaultReviewWindowDays, int DefaultDisputeWindowDays,
    IReadOnlyList<string> PaymentMethods, IReadOnlyList<string> PayoutMethods, bool AutoApproveClaims)
{
    public static SettingsData Of(StoreEscrowSettings s)
    {
        var f = SettingsFormModel.From(s);
        return new(f.DefaultCurrency!, f.DefaultFx, f.DefaultFeePercent!, f.DefaultFeeFixed!, f.DefaultFeePayer, f.DefaultOverpayment,
            f.DefaultReviewWindowDays, f.DefaultDisputeWindowDays, f.PaymentMethods, f.PayoutMethods, f.AutoApproveClaims);
    }
}

/// <summary>New settings; fields left out keep their current value.</summary>
public sealed record SettingsRequest(
    string? DefaultCurrency = null, FxPolicy? DefaultFx = null, string? DefaultFeePercent = null, string? DefaultFeeFixed = null,
    FeePayer? DefaultFeePayer = null, OverpaymentHandling? DefaultOverpayment = null, int? DefaultReviewWindowDays = null,
    int? DefaultDisputeWindowDays = null, IReadOnlyList<string>? PaymentMethods = null, IReadOnlyList<string>? PayoutMethods = null,
    bool? AutoApproveClaims = null)
{
    /// <summary>The request laid over the current settings, checked by the settings' own rules.</summary>
    public StoreEscrowSettings Over(StoreEscrowSettings current)
    {
        var f = SettingsFormModel.From(current);
        f.DefaultCurrency = DefaultCurrency ?? f.DefaultCurrency;
        f.DefaultFx = DefaultFx ?? f.DefaultFx;
        f.DefaultFeePercent = DefaultFeePercent ?? f.DefaultFeePercent;
        f.DefaultFeeFixed = DefaultFeeFixed ?? f.DefaultFeeFixed;
        f.DefaultFeePayer = DefaultFeePayer ?? f.DefaultFeePayer;
        f.DefaultOverpayment = DefaultOverpayment ?? f.DefaultOverpayment;
        f.DefaultReviewWindowDays = DefaultReviewWindowDays ?? f.DefaultReviewWindowDays;
        f.DefaultDisputeWindowDays = DefaultDisputeWindowDays ?? f.DefaultDisputeWindowDays;
        f.PaymentMethods = PaymentMethods?.ToList() ?? f.PaymentMethods;
        f.PayoutMethods = PayoutMethods?.ToList() ?? f.PayoutMethods;
        f.AutoApproveClaims = AutoApproveClaims ?? f.AutoApproveClaims;
        return f.ToSettings();
    }
}
