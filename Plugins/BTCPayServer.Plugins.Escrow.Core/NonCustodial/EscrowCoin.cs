using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// A funding output sitting at a milestone's escrow address. The funding transaction is optional; when known it goes
/// into the PSBT as non-witness UTXO, which Trezor and Ledger firmware ask for before signing segwit v0 inputs.
/// </summary>
public sealed record EscrowCoin(OutPoint OutPoint, Money Amount, Transaction? FundingTransaction = null);
