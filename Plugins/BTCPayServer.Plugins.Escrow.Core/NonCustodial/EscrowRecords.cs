using System.Text.Json;
using System.Text.Json.Serialization;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// A party's key as a contract keeps it: the canonical <c>[fingerprint/path]xpub</c> text <see cref="PartyKeyParser"/>
/// accepted and reads back, its master fingerprint, and the address the party is paid at by this escrow's spends
/// (the client's refunds, the freelancer's releases, the agency's fee). Never anything private.
/// </summary>
public sealed record StoredEscrowKey(EscrowRole Role, string Key, string Fingerprint, string PayoutAddress, DateTimeOffset At);

public enum EscrowSpendStatus
{
    /// <summary>Waiting for signatures.</summary>
    Collecting,
    /// <summary>Signed, finalised and handed to the chain; waiting for a confirmation.</summary>
    Broadcast,
    /// <summary>In a block: the payouts it carries are completed.</summary>
    Confirmed,
}

/// <summary>
/// One escrow spend of a milestone (release, refund, ruling, agreed split) and its signing round. <see cref="PayoutIds"/>
/// are the contract's payout instructions it carries: the same decision in the ledger, paid by this transaction.
/// </summary>
public sealed record EscrowSpendRecord(
    Guid Id,
    Guid MilestoneId,
    IReadOnlyList<Guid> PayoutIds,
    SigningRound Round,
    EscrowSpendStatus Status,
    DateTimeOffset OpenedAt,
    string? TxId = null,
    string? LastError = null,
    DateTimeOffset? BroadcastAt = null,
    DateTimeOffset? ConfirmedAt = null)
{
    /// <summary>What the payout instructions carry in place of a pull payment id: the spend, never a secret.</summary>
    public string Reference => "psbt:" + Id.ToString("N");
}

/// <summary>
/// A milestone's escrow output and its pre-signed refund. <see cref="Index"/> comes from a store-wide counter, so the
/// agency's key at that index never repeats on chain. The funding outpoint is the one the client's proposed funding
/// transaction will create; the refund is signed against it before the client signs the funding.
/// </summary>
public sealed record MilestoneEscrowRecord(
    Guid MilestoneId,
    uint Index,
    string Address,
    string Descriptor,
    string WalletDescriptor,
    long AmountSats,
    string? FundingOutPoint = null,
    long FundingSats = 0,
    uint RefundHeight = 0,
    SigningRound? Refund = null,
    string? SignedRefundHex = null,
    IReadOnlyList<UnexpectedEscrowCoin>? Unexpected = null)
{
    /// <summary>Freelancer and agency signed the refund and it verified: the client may fund.</summary>
    public bool RefundReady => SignedRefundHex is not null;

    /// <summary>Coins paid to the escrow address by another transaction than the funding the refund covers.</summary>
    public IReadOnlyList<UnexpectedEscrowCoin> UnexpectedCoins => Unexpected ?? [];

    /// <summary>The id of the prepared funding transaction (what the client's wallet must show before sending).</summary>
    public string? FundingTxId => FundingOutPoint is { } text && NBitcoin.OutPoint.TryParse(text, out var outPoint) && outPoint is not null ? outPoint.Hash.ToString() : null;

    /// <summary>Whether a coin at the escrow address is the milestone's funding: the output of the prepared funding, once its refund is signed.</summary>
    public bool IsFunding(string outPoint) => RefundReady && FundingOutPoint == outPoint;
}

/// <summary>
/// A coin at a milestone's escrow address that is not the prepared funding (paid before the refund was signed, from
/// another transaction, a second payment, a fee-bumped replacement): it does not count as funding, since the pre-signed
/// refund cannot spend it. The agency returns it to the client (client and agency sign); <see cref="ReturnSpendId"/> is
/// that spend once opened.
/// </summary>
public sealed record UnexpectedEscrowCoin(string OutPoint, long Sats, DateTimeOffset SeenAt, Guid? ReturnSpendId = null, bool Returned = false);

/// <summary>
/// Everything the non-custodial mode keeps about a contract, in plain values: the keys, each milestone's escrow and
/// each spend's signing round. Changed only by replacing it (it is a value), and stored as one JSON document.
/// </summary>
public sealed record NonCustodialState
{
    public static readonly NonCustodialState Empty = new();

    public IReadOnlyList<StoredEscrowKey> Keys { get; init; } = [];
    public IReadOnlyList<MilestoneEscrowRecord> Milestones { get; init; } = [];
    public IReadOnlyList<EscrowSpendRecord> Spends { get; init; } = [];

    public StoredEscrowKey? KeyOf(EscrowRole role) => Keys.FirstOrDefault(k => k.Role == role);

    /// <summary>
    /// The spends that pay the ledger's payouts (of one milestone, when given) and are not confirmed yet; a return of an
    /// unexpected coin carries none (that coin was never counted).
    /// </summary>
    public IReadOnlyList<EscrowSpendRecord> UnconfirmedPayoutSpends(Guid? milestoneId = null) =>
        [.. Spends.Where(s => s.Status != EscrowSpendStatus.Confirmed && s.PayoutIds.Count > 0 && (milestoneId is null || s.MilestoneId == milestoneId))
            .OrderBy(s => s.OpenedAt)];

    /// <summary>
    /// Where the decided money (of one milestone, when given) stands on chain: <see cref="EscrowSpendStatus.Collecting"/>
    /// while any payout spend waits for signatures, else <see cref="EscrowSpendStatus.Broadcast"/> while one waits for a
    /// block; null when every payout spend is confirmed (or there is none).
    /// </summary>
    public EscrowSpendStatus? UnconfirmedPayoutStatus(Guid? milestoneId = null) => UnconfirmedPayoutSpends(milestoneId) switch
    {
        { Count: 0 } => null,
        var open when open.Any(s => s.Status == EscrowSpendStatus.Collecting) => EscrowSpendStatus.Collecting,
        _ => EscrowSpendStatus.Broadcast,
    };

    public MilestoneEscrowRecord? EscrowOf(Guid milestoneId) => Milestones.FirstOrDefault(m => m.MilestoneId == milestoneId);

    public NonCustodialState WithKey(StoredEscrowKey key) => this with { Keys = [.. Keys.Where(k => k.Role != key.Role), key] };

    public NonCustodialState WithEscrow(MilestoneEscrowRecord escrow) =>
        this with { Milestones = [.. Milestones.Select(m => m.MilestoneId == escrow.MilestoneId ? escrow : m), .. Milestones.Any(m => m.MilestoneId == escrow.MilestoneId) ? [] : new[] { escrow }] };

    public NonCustodialState WithSpend(EscrowSpendRecord spend) =>
        this with { Spends = [.. Spends.Select(s => s.Id == spend.Id ? spend : s), .. Spends.Any(s => s.Id == spend.Id) ? [] : new[] { spend }] };

    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The stored form; <see cref="FromJson"/> reads it back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static NonCustodialState FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? Empty : JsonSerializer.Deserialize<NonCustodialState>(json, Options) ?? Empty;
}
