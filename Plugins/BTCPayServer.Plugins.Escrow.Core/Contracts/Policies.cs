namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

public enum ContractState
{
    Draft,
    Proposed,
    Active,
    Completed,
    Cancelled,
}

/// <summary>Who pays the agency fee: deducted from the freelancer at release, or added to the client's invoice.</summary>
public enum FeePayer
{
    Freelancer,
    Client,
}

/// <summary>How a fiat contract pays out. Bitcoin-denominated contracts use <see cref="NotApplicable"/>.</summary>
public enum FxPolicy
{
    NotApplicable,
    /// <summary>Payouts are the fiat amount; the store carries the volatility.</summary>
    FiatProtected,
    /// <summary>Payouts are the BTC actually received for the milestone.</summary>
    BtcLocked,
}

/// <summary>What happens to money a client pays beyond what the invoice asked.</summary>
public enum OverpaymentHandling
{
    RollForward,
    Refund,
}

public enum PartyRole
{
    Client,
    Freelancer,
}
