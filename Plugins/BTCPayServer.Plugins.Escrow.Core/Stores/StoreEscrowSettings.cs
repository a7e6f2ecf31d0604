using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Stores;

/// <summary>
/// A store's escrow settings: defaults for new contracts, and how the store takes and sends money (which payment and
/// payout methods, whether payout claims are approved automatically).
/// </summary>
public sealed record StoreEscrowSettings
{
    /// <summary>Payment method ids as BTCPay names them.</summary>
    public static readonly IReadOnlyList<string> KnownPaymentMethods = ["BTC-CHAIN", "BTC-LN", "BTC-LNURL"];
    public static readonly IReadOnlyList<string> KnownPayoutMethods = ["BTC-CHAIN", "BTC-LN"];
    public static readonly StoreEscrowSettings Default = new();

    public string DefaultCurrency { get; init; } = "BTC";
    public FxPolicy DefaultFx { get; init; } = FxPolicy.FiatProtected;
    public decimal DefaultFeePercent { get; init; }
    /// <summary>Fixed fee per milestone in <see cref="DefaultCurrency"/>.</summary>
    public decimal DefaultFeeFixed { get; init; }
    public FeePayer DefaultFeePayer { get; init; } = FeePayer.Freelancer;
    public OverpaymentHandling DefaultOverpayment { get; init; } = OverpaymentHandling.RollForward;
    public int DefaultReviewWindowDays { get; init; } = (int)ContractTerms.DefaultReviewWindow.TotalDays;
    public int DefaultDisputeWindowDays { get; init; } = (int)ContractTerms.DefaultDisputeResponseWindow.TotalDays;
    public IReadOnlyList<string> PaymentMethods { get; init; } = ["BTC-CHAIN", "BTC-LN"];
    public IReadOnlyList<string> PayoutMethods { get; init; } = ["BTC-CHAIN", "BTC-LN"];
    /// <summary>Claims on release and refund pull payments are approved at once (else staff approve each payout).</summary>
    public bool AutoApproveClaims { get; init; } = true;
    /// <summary>Kinds of email this store does not send (every kind is sent unless listed here).</summary>
    public IReadOnlyList<EmailKind> EmailsOff { get; init; } = [];
    /// <summary>The agency's own addresses: they hear about disputes escalated to the agency and late payments held.</summary>
    public IReadOnlyList<string> AgencyEmails { get; init; } = [];

    /// <summary>
    /// The agency's key for non-custodial escrows, <c>[fingerprint/path]xpub</c> as <see cref="NonCustodial.PartyKeyParser"/>
    /// writes it: a key the agency holds in its own wallet. Null: the store offers no non-custodial contracts.
    /// </summary>
    public string? AgencyKey { get; init; }
    /// <summary>Where non-custodial spends pay the agency's fee (an address of the agency's wallet).</summary>
    public string? AgencyPayoutAddress { get; init; }
    /// <summary>
    /// The network fee rate (sat/vB) of the transactions the escrow proposes to sign (the pre-signed refund, releases,
    /// refunds, rulings), as staff choose it; null: the node's estimate for confirmation within 6 blocks.
    /// </summary>
    public decimal? NetworkFeeRate { get; init; }

    public const int MaxAgencyEmails = 10;

    public EmailPreferences EmailPreferences => new(EmailsOff ?? [], AgencyEmails ?? []);

    /// <summary>Checks every field; the first problem is thrown with its field name.</summary>
    public StoreEscrowSettings Validated()
    {
        var currency = Currency.FromCode(DefaultCurrency, "defaultCurrency");
        Money.Of(DefaultFeeFixed, currency.Code, "defaultFeeFixed");
        try
        {
            FeePolicy.Create(DefaultFeePercent, Money.Of(DefaultFeeFixed, currency.Code, "defaultFeeFixed"), DefaultFeePayer);
        }
        catch (InvalidInputException e) when (e.Field.StartsWith("fee.", StringComparison.Ordinal))
        {
            // The fee's rules name a contract's fields; here the refusal belongs to the settings' own.
            throw new InvalidInputException(e.Field == "fee.chargedTo" ? "defaultFeePayer" : "defaultFeePercent", e.Message);
        }
        if (!Enum.IsDefined(DefaultFx) || !Enum.IsDefined(DefaultOverpayment))
            throw new InvalidInputException("defaultFx", "Unknown FX or overpayment policy.");
        if (DefaultReviewWindowDays is < 1 or > 365)
            throw new InvalidInputException("defaultReviewWindowDays", "Enter a review window of 1 to 365 days.");
        if (DefaultDisputeWindowDays is < 1 or > 365)
            throw new InvalidInputException("defaultDisputeWindowDays", "Enter a dispute response window of 1 to 365 days.");
        var payments = Methods(PaymentMethods, KnownPaymentMethods, "paymentMethods", "payment");
        var payouts = Methods(PayoutMethods, KnownPayoutMethods, "payoutMethods", "payout");
        var off = (EmailsOff ?? []).Distinct().ToList();
        foreach (var kind in off.Where(k => !EmailKinds.IsSwitchable(k)))
            throw new InvalidInputException("emailsOff", $"'{Text.Excerpt(kind.ToString())}' is not a kind of email that can be switched off.");
        // Whatever else is known, a private key is never stored (nor repeated in a message).
        if (AgencyKey is { } key && NonCustodial.PrivateKeyDetector.ContainsPrivateKey(key))
            throw new InvalidInputException("agencyKey", NonCustodial.PrivateKeyDetector.Refusal);
        if (AgencyPayoutAddress is { } payout && NonCustodial.PrivateKeyDetector.ContainsPrivateKey(payout))
            throw new InvalidInputException("agencyPayoutAddress", NonCustodial.PrivateKeyDetector.Refusal);
        if (NetworkFeeRate is { } rate && (rate < NonCustodial.SpendPlanner.MinFeeRate || rate > NonCustodial.SpendPlanner.MaxFeeRate || rate != decimal.Round(rate, 1)))
            throw new InvalidInputException("networkFeeRate",
                $"Enter a network fee rate of {NonCustodial.SpendPlanner.MinFeeRate:0} to {NonCustodial.SpendPlanner.MaxFeeRate:0} sat/vB (one decimal at most), or leave it empty for the node's estimate.");
        if ((AgencyKey?.Length ?? 0) > 4_000)
            throw new InvalidInputException("agencyKey", "The agency key is far too long: paste only the extended public key with its origin.");
        if ((AgencyPayoutAddress?.Length ?? 0) > 200)
            throw new InvalidInputException("agencyPayoutAddress", "The agency's payout address is far too long: paste only the address.");
        return this with
        {
            AgencyKey = string.IsNullOrWhiteSpace(AgencyKey) ? null : AgencyKey.Trim(),
            AgencyPayoutAddress = string.IsNullOrWhiteSpace(AgencyPayoutAddress) ? null : AgencyPayoutAddress.Trim(),
            DefaultCurrency = currency.Code, PaymentMethods = payments, PayoutMethods = payouts,
            EmailsOff = off.Order().ToList(), AgencyEmails = Addresses(AgencyEmails),
        };
    }

    /// <summary>
    /// <see cref="Validated()"/>, and the agency's key and payout address read on the escrow chain's network: the key
    /// stored in its canonical form, both or neither given.
    /// </summary>
    public StoreEscrowSettings Validated(NBitcoin.Network network)
    {
        var valid = Validated();
        if (valid.AgencyKey is null && valid.AgencyPayoutAddress is null)
            return valid;
        var key = NonCustodial.PartyKeyParser.Parse(valid.AgencyKey, NonCustodial.EscrowRole.Agency, network).Unwrap();
        var address = NonCustodial.PayoutAddress.Parse(valid.AgencyPayoutAddress, "agencyPayoutAddress", "agency", network).Unwrap();
        return valid with { AgencyKey = key.Text, AgencyPayoutAddress = address.ToString() };
    }

    /// <summary>The agency's addresses: trimmed, each a single valid address, no duplicates (case-insensitive), at most ten.</summary>
    private static List<string> Addresses(IReadOnlyList<string>? given)
    {
        var list = new List<string>();
        foreach (var raw in given ?? [])
        {
            var address = raw?.Trim() ?? "";
            if (address.Length == 0)
                continue;
            if (address.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(address, out var parsed) || parsed.Address != address || address.Contains(','))
                throw new InvalidInputException("agencyEmails", $"'{Text.Excerpt(address)}' is not an email address (one plain address per line, like team@agency.example).");
            if (!list.Contains(address, StringComparer.OrdinalIgnoreCase))
                list.Add(address);
        }
        if (list.Count > MaxAgencyEmails)
            throw new InvalidInputException("agencyEmails", $"Enter at most {MaxAgencyEmails} addresses.");
        return list;
    }

    private static List<string> Methods(IReadOnlyList<string>? chosen, IReadOnlyList<string> known, string field, string label)
    {
        var list = (chosen ?? []).Select(m => m?.Trim().ToUpperInvariant() ?? "").Where(m => m.Length > 0).Distinct().ToList();
        if (list.Count == 0)
            throw new InvalidInputException(field, $"Choose at least one {label} method.");
        if (list.FirstOrDefault(m => !known.Contains(m)) is { } unknown)
            throw new InvalidInputException(field, $"'{Text.Excerpt(unknown)}' is not a {label} method this plugin knows ({string.Join(", ", known)}).");
        return list;
    }
}
