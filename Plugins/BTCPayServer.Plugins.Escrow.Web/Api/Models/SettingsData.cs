using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Web.Models;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>
/// The store's escrow settings: defaults for new contracts (fee amounts as strings, windows in days), the payment and
/// payout methods offered, and whether payout claims are approved automatically. Non-custodial escrows: the agency's
/// extended public key with its origin (<c>[fingerprint/path]xpub</c>; null: the store offers none), the address its
/// fee is paid at, and the network fee rate in sat/vB of the transactions the escrow proposes to sign (a string with
/// at most one decimal; null: the node's estimate).
/// </summary>
public sealed record SettingsData(
    string DefaultCurrency, FxPolicy DefaultFx, string DefaultFeePercent, string DefaultFeeFixed, FeePayer DefaultFeePayer,
    OverpaymentHandling DefaultOverpayment, int DefaultReviewWindowDays, int DefaultDisputeWindowDays,
    IReadOnlyList<string> PaymentMethods, IReadOnlyList<string> PayoutMethods, bool AutoApproveClaims,
    string? AgencyKey, string? AgencyPayoutAddress, string? NetworkFeeRate)
{
    public static SettingsData Of(StoreEscrowSettings s)
    {
        var f = SettingsFormModel.From(s);
        return new(f.DefaultCurrency!, f.DefaultFx, f.DefaultFeePercent!, f.DefaultFeeFixed!, f.DefaultFeePayer, f.DefaultOverpayment,
            f.DefaultReviewWindowDays, f.DefaultDisputeWindowDays, f.PaymentMethods, f.PayoutMethods, f.AutoApproveClaims,
            f.AgencyKey, f.AgencyPayoutAddress, f.NetworkFeeRate);
    }
}

/// <summary>
/// New settings; fields left out keep their current value. <c>agencyKey</c>, <c>agencyPayoutAddress</c> and
/// <c>networkFeeRate</c> are cleared with an empty string (no agency key: no non-custodial contracts; no fee rate: the
/// node's estimate). The agency key and its payout address are given together; a private key is refused and never kept.
/// </summary>
public sealed record SettingsRequest(
    string? DefaultCurrency = null, FxPolicy? DefaultFx = null, string? DefaultFeePercent = null, string? DefaultFeeFixed = null,
    FeePayer? DefaultFeePayer = null, OverpaymentHandling? DefaultOverpayment = null, int? DefaultReviewWindowDays = null,
    int? DefaultDisputeWindowDays = null, IReadOnlyList<string>? PaymentMethods = null, IReadOnlyList<string>? PayoutMethods = null,
    bool? AutoApproveClaims = null, string? AgencyKey = null, string? AgencyPayoutAddress = null, string? NetworkFeeRate = null)
{
    /// <summary>
    /// The request laid over the current settings, checked by the settings' own rules (the agency key and payout address
    /// read on <paramref name="network"/>, the escrow chain's, when the host has one).
    /// </summary>
    public StoreEscrowSettings Over(StoreEscrowSettings current, NBitcoin.Network? network)
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
        f.AgencyKey = AgencyKey ?? f.AgencyKey;
        f.AgencyPayoutAddress = AgencyPayoutAddress ?? f.AgencyPayoutAddress;
        f.NetworkFeeRate = NetworkFeeRate ?? f.NetworkFeeRate;
        return f.ToSettings(network);
    }
}
