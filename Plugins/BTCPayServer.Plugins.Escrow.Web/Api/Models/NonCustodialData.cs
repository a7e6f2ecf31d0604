using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>
/// A key of the escrow: the extended public key with its origin (<c>[fingerprint/path]xpub</c>) and where this escrow
/// pays its holder. Public only; the escrow never holds a private key.
/// </summary>
public sealed record EscrowKeyData(EscrowRole Role, string Fingerprint, string Key, string PayoutAddress, long GivenTime);

/// <summary>Who signed a signing round so far, and who can still sign, in words.</summary>
public sealed record EscrowSignaturesData(IReadOnlyList<EscrowRole> SignedBy, string StillNeeded);

/// <summary>
/// A coin at a milestone's escrow address that is not its prepared funding: it does not count as funding and is
/// returned to the client (<c>returnSpendId</c> is that spend once opened).
/// </summary>
public sealed record UnexpectedCoinData(string OutPoint, long Sats, string Amount, long SeenTime, Guid? ReturnSpendId, bool Returning, bool Returned);

/// <summary>
/// A milestone's 2-of-3 escrow: the address the client funds, its descriptors to check on a device, the prepared
/// funding's outpoint and the time-locked refund that freelancer and agency sign before the client funds.
/// <c>refundHeight</c> is the block height from which the signed refund can be sent (null until the funding is prepared).
/// </summary>
public sealed record MilestoneEscrowData(
    Guid MilestoneId, long Index, string Address, string Descriptor, string WalletDescriptor, long AmountSats, string Amount,
    string? FundingOutPoint, long? FundingSats, long? RefundHeight, bool RefundReady, EscrowSignaturesData? Refund,
    IReadOnlyList<UnexpectedCoinData> UnexpectedCoins);

/// <summary>
/// A spend of a milestone's escrow (release, refund, ruling, agreed split) and its signing round. <c>psbt</c> is the
/// current PSBT (base64) with the signatures accepted so far: what the parties sign in their wallets.
/// </summary>
public sealed record EscrowSpendData(
    Guid Id, Guid MilestoneId, SpendKind Kind, EscrowSpendStatus Status, IReadOnlyList<EscrowRole> SignedBy, string StillNeeded,
    string UnsignedTxId, string? TxId, string Psbt, string? LastError, long OpenedTime, long? BroadcastTime, long? ConfirmedTime);

/// <summary>What a non-custodial contract keeps: the parties' public keys, each milestone's escrow, and each spend.</summary>
public sealed record NonCustodialData(IReadOnlyList<EscrowKeyData> Keys, IReadOnlyList<MilestoneEscrowData> Milestones, IReadOnlyList<EscrowSpendData> Spends)
{
    public static NonCustodialData Of(NonCustodialState state) => new(
        state.Keys.OrderBy(k => k.Role).Select(k => new EscrowKeyData(k.Role, k.Fingerprint, k.Key, k.PayoutAddress, UnixTime.Of(k.At))).ToList(),
        state.Milestones.OrderBy(m => m.Index).Select(EscrowOf).ToList(),
        state.Spends.OrderBy(s => s.OpenedAt).Select(SpendOf).ToList());

    /// <summary>Satoshis as a BTC amount string with its 8 decimals, never a float.</summary>
    public static string Btc(long sats) => Money.Of(sats / 100_000_000m, "BTC").FormatAmount();

    private static MilestoneEscrowData EscrowOf(MilestoneEscrowRecord m) => new(
        m.MilestoneId, m.Index, m.Address, m.Descriptor, m.WalletDescriptor, m.AmountSats, Btc(m.AmountSats),
        m.FundingOutPoint, m.FundingOutPoint is null ? null : m.FundingSats, m.RefundHeight == 0 ? null : m.RefundHeight, m.RefundReady,
        m.Refund is { } refund ? new EscrowSignaturesData(refund.SignedBy, refund.StillNeeded()) : null,
        m.UnexpectedCoins.Select(c => new UnexpectedCoinData(c.OutPoint, c.Sats, Btc(c.Sats), UnixTime.Of(c.SeenAt), c.ReturnSpendId,
            c.ReturnSpendId is not null && !c.Returned, c.Returned)).ToList());

    private static EscrowSpendData SpendOf(EscrowSpendRecord s) => new(
        s.Id, s.MilestoneId, s.Round.Kind, s.Status, s.Round.SignedBy, s.Round.StillNeeded(), s.Round.UnsignedTxId, s.TxId, s.Round.Psbt,
        s.LastError, UnixTime.Of(s.OpenedAt), UnixTime.Of(s.BroadcastAt), UnixTime.Of(s.ConfirmedAt));
}
