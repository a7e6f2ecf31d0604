using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Stores;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>The store settings form; property names mirror <see cref="StoreEscrowSettings"/> so refusals land next to their field.</summary>
public sealed class SettingsFormModel
{
    public string? DefaultCurrency { get; set; }
    public FxPolicy DefaultFx { get; set; }
    public string? DefaultFeePercent { get; set; }
    public string? DefaultFeeFixed { get; set; }
    public FeePayer DefaultFeePayer { get; set; }
    public OverpaymentHandling DefaultOverpayment { get; set; }
    public int DefaultReviewWindowDays { get; set; }
    public int DefaultDisputeWindowDays { get; set; }
    public List<string> PaymentMethods { get; set; } = [];
    public List<string> PayoutMethods { get; set; } = [];
    public bool AutoApproveClaims { get; set; }
    /// <summary>The kinds of email left on (checkboxes); every switchable kind not listed is off.</summary>
    public List<EmailKind> EmailsOn { get; set; } = [];
    /// <summary>The agency's addresses, one per line (commas and semicolons separate too).</summary>
    public string? AgencyEmails { get; set; }
    /// <summary>Non-custodial escrows: the agency's extended public key with origin, and where its fee is paid.</summary>
    public string? AgencyKey { get; set; }
    public string? AgencyPayoutAddress { get; set; }
    /// <summary>sat/vB as typed; empty: the node's estimate.</summary>
    public string? NetworkFeeRate { get; set; }

    public static SettingsFormModel From(StoreEscrowSettings s) => new()
    {
        DefaultCurrency = s.DefaultCurrency,
        DefaultFx = s.DefaultFx,
        DefaultFeePercent = s.DefaultFeePercent.ToString("0.##", CultureInfo.InvariantCulture),
        DefaultFeeFixed = s.DefaultFeeFixed.ToString("0.########", CultureInfo.InvariantCulture),
        DefaultFeePayer = s.DefaultFeePayer,
        DefaultOverpayment = s.DefaultOverpayment,
        DefaultReviewWindowDays = s.DefaultReviewWindowDays,
        DefaultDisputeWindowDays = s.DefaultDisputeWindowDays,
        PaymentMethods = [.. s.PaymentMethods],
        PayoutMethods = [.. s.PayoutMethods],
        AutoApproveClaims = s.AutoApproveClaims,
        EmailsOn = EmailKinds.Switchable.Select(k => k.Kind).Where(s.EmailPreferences.Sends).ToList(),
        AgencyEmails = string.Join("\n", s.AgencyEmails),
        AgencyKey = s.AgencyKey,
        AgencyPayoutAddress = s.AgencyPayoutAddress,
        NetworkFeeRate = s.NetworkFeeRate?.ToString("0.#", CultureInfo.InvariantCulture),
    };

    /// <summary>The settings, with the agency's key read on the escrow chain's network when the host has one.</summary>
    public StoreEscrowSettings ToSettings(NBitcoin.Network? network) => network is null ? ToSettings() : ToSettings().Validated(network);

    public StoreEscrowSettings ToSettings() => new StoreEscrowSettings
    {
        DefaultCurrency = DefaultCurrency ?? "",
        DefaultFx = DefaultFx,
        DefaultFeePercent = Infrastructure.Amounts.ParseNumber(DefaultFeePercent, "defaultFeePercent", "default fee percent", whenEmpty: 0m),
        DefaultFeeFixed = Infrastructure.Amounts.ParseNumber(DefaultFeeFixed, "defaultFeeFixed", "default fixed fee", whenEmpty: 0m),
        DefaultFeePayer = DefaultFeePayer,
        DefaultOverpayment = DefaultOverpayment,
        DefaultReviewWindowDays = DefaultReviewWindowDays,
        DefaultDisputeWindowDays = DefaultDisputeWindowDays,
        PaymentMethods = PaymentMethods,
        PayoutMethods = PayoutMethods,
        AutoApproveClaims = AutoApproveClaims,
        EmailsOff = EmailKinds.Switchable.Select(k => k.Kind).Where(k => !EmailsOn.Contains(k)).ToList(),
        AgencyEmails = (AgencyEmails ?? "").Split(['\n', '\r', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        AgencyKey = AgencyKey,
        AgencyPayoutAddress = AgencyPayoutAddress,
        NetworkFeeRate = string.IsNullOrWhiteSpace(NetworkFeeRate) ? null
            : Infrastructure.Amounts.ParseNumber(NetworkFeeRate, "networkFeeRate", "network fee rate", whenEmpty: 0m),
    }.Validated();

    /// <summary>A new contract form pre-filled with the store's defaults.</summary>
    public static ContractFormModel NewContract(StoreEscrowSettings s) => new()
    {
        Currency = s.DefaultCurrency,
        Fx = s.DefaultFx,
        Overpayment = s.DefaultOverpayment,
        ReviewWindow = s.DefaultReviewWindowDays,
        DisputeResponseWindow = s.DefaultDisputeWindowDays,
        Fee = new FeeFormModel
        {
            Percent = s.DefaultFeePercent.ToString("0.##", CultureInfo.InvariantCulture),
            Fixed = s.DefaultFeeFixed.ToString("0.########", CultureInfo.InvariantCulture),
            ChargedTo = s.DefaultFeePayer,
        },
    };
}
