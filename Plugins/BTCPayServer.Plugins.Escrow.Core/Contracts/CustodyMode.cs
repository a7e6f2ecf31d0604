namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>Who holds a contract's money while it is in escrow. Chosen on the draft; fixed once the contract is sent.</summary>
public enum CustodyMode
{
    /// <summary>The store's wallet receives the funding; pull payments pay out.</summary>
    Custodial,
    /// <summary>Each milestone funds a 2-of-3 multisig address of client, freelancer and agency (BTC contracts only).</summary>
    NonCustodial,
}
