using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// The non-custodial mode: the custody choice, the parties' keys, each milestone's escrow and its signing rounds. The
// ledger (funding, payouts) is the custodial one: funding seen on chain arrives as payment events of a "chain:" invoice,
// and payout instructions are paid by a signed escrow spend instead of a pull payment.
public sealed partial class Contract
{
    /// <summary>The invoice id under which a milestone's escrow address takes payments (the address, not a gateway id).</summary>
    public const string ChainInvoicePrefix = "chain:";

    public CustodyMode Custody { get; private set; }
    public NonCustodialState NonCustodial { get; private set; } = NonCustodialState.Empty;

    public bool IsNonCustodial => Custody == CustodyMode.NonCustodial;

    /// <summary>The agency picks the custody mode on the draft; once the contract is sent, it is part of what the parties accept.</summary>
    public void ChooseCustody(CustodyMode mode, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        if (!Enum.IsDefined(mode))
            throw new InvalidInputException("custody", "Unknown custody mode.");
        if (mode == Custody)
            return;
        EnsureState("switched to another custody mode", ContractState.Draft);
        EnsureCustodyFits(mode, Currency);
        Custody = mode;
        Record(at, by, "contract.custody-chosen", ("custody", mode.ToString()));
    }

    private static void EnsureCustodyFits(CustodyMode mode, string currency)
    {
        if (mode == CustodyMode.NonCustodial && currency != "BTC")
            throw new InvalidInputException("custody",
                $"Non-custodial escrow is for contracts in BTC: the multisig address holds bitcoin, not {currency}. Change the currency to BTC first, or keep the custodial mode.");
    }

    /// <summary>
    /// A party gives the key of their own wallet and where this escrow pays them. Only while the contract waits for
    /// acceptance and before this party accepted: the accepted contract's escrow addresses are built from it.
    /// </summary>
    public void RecordEscrowKey(PartyRole role, PartyKey key, string payoutAddress, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureNonCustodial();
        var escrowRole = ToEscrowRole(role);
        if (key.Role != escrowRole)
            throw new InvalidInputException(escrowRole.KeyField(), $"This key was read as the {key.Role.Noun()}'s.");
        if (State != ContractState.Proposed || LatestTermsVersion?.IsAcceptedBy(role) == true)
            throw new InvalidTransitionException("escrow.key-fixed",
                "Your key can no longer change: you accepted the terms, and the escrow addresses are built from the keys given before acceptance.");
        foreach (var other in NonCustodial.Keys.Where(k => k.Role != escrowRole))
        {
            if (other.Fingerprint == key.Fingerprint.ToString() || PartyKeyParser.Parse(other.Key, other.Role, key.AccountKey.Network).Value?.AccountKey.ExtPubKey.PubKey == key.AccountKey.ExtPubKey.PubKey)
                throw new InvalidInputException(escrowRole.KeyField(),
                    $"This key comes from the same wallet as the {other.Role.Noun()}'s (master fingerprint {key.Fingerprint}). Each party must use a wallet of their own, or one person could spend alone.");
        }
        NonCustodial = NonCustodial.WithKey(new StoredEscrowKey(escrowRole, key.Text, key.Fingerprint.ToString(), payoutAddress, at));
        Record(at, Actor.Party(role), "escrow.key-given", ("role", escrowRole.Noun()), ("fingerprint", key.Fingerprint.ToString()), ("payoutAddress", payoutAddress));
    }

    /// <summary>Keys of the client and the freelancer, both given; the agency's comes from the store's settings.</summary>
    public bool HasPartyKeys => NonCustodial.KeyOf(EscrowRole.Client) is not null && NonCustodial.KeyOf(EscrowRole.Freelancer) is not null;

    /// <summary>Milestones of an active non-custodial contract that have no escrow address yet.</summary>
    public IReadOnlyList<Milestone> MilestonesWithoutEscrow() =>
        IsNonCustodial && State == ContractState.Active && HasPartyKeys
            ? _milestones.Where(m => !m.IsFinal && NonCustodial.EscrowOf(m.Id) is null).OrderBy(m => m.Number).ToList()
            : [];

    /// <summary>
    /// The agency's key (copied from the store's settings, so a later change of settings never moves an existing escrow)
    /// and a milestone's escrow address at its store-wide index.
    /// </summary>
    public void RecordMilestoneEscrow(StoredEscrowKey agencyKey, MilestoneEscrowRecord escrow, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureNonCustodial();
        EnsureState("given an escrow address", ContractState.Active);
        var milestone = Milestone(escrow.MilestoneId);
        if (NonCustodial.EscrowOf(milestone.Id) is not null)
            return;
        if (agencyKey.Role != EscrowRole.Agency)
            throw new InvalidInputException("agencyKey", "The agency's key was given for another role.");
        if (NonCustodial.KeyOf(EscrowRole.Agency) is { } existing && existing.Key != agencyKey.Key)
            throw new EscrowException("escrow.agency-key", "This contract's escrows use another agency key than the one given.");
        if (NonCustodial.KeyOf(EscrowRole.Agency) is null)
        {
            NonCustodial = NonCustodial.WithKey(agencyKey with { At = at });
            Record(at, Actor.Timer with { Id = "escrow" }, "escrow.key-given", ("role", "agency"), ("fingerprint", agencyKey.Fingerprint), ("payoutAddress", agencyKey.PayoutAddress));
        }
        NonCustodial = NonCustodial.WithEscrow(escrow);
        Record(at, Actor.Timer with { Id = "escrow" }, "escrow.address-derived", ("milestone", milestone.Number), ("index", escrow.Index),
            ("address", escrow.Address), ("descriptor", escrow.Descriptor));
    }

    /// <summary>The client's proposed funding transaction is known; the refund paying it back is open for signing.</summary>
    public void PrepareRefund(Guid milestoneId, string fundingOutPoint, long fundingSats, uint refundHeight, SigningRound refund, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, escrow) = EscrowFor(milestoneId);
        EnsureState("funded", ContractState.Active);
        milestone.EnsureState("funded", MilestoneState.Pending);
        // Once the funding the refund covers was seen on chain, the refund stays. Before that the client may prepare the
        // funding again (a wallet that rebuilt or fee-bumped it has a new transaction id the old refund cannot spend).
        if (escrow.RefundReady && _payments.Any(p => p.PaymentId == escrow.FundingOutPoint && p.Status != PaymentStatus.Invalidated))
            throw new InvalidTransitionException("escrow.refund-signed",
                $"The funding of milestone {milestone.Number} the refund was signed for is on its way already; it cannot be prepared again.");
        if (escrow.UnexpectedCoins.Any(c => c.OutPoint == fundingOutPoint && (c.ReturnSpendId is not null || c.Returned)))
            throw new InvalidInputException("funding", "This payment is being returned to you by the agency; it cannot become the milestone's funding.");
        if (refund.Kind != SpendKind.PresignedRefund)
            throw new ArgumentException("Not a pre-signed refund.", nameof(refund));
        NonCustodial = NonCustodial.WithEscrow(escrow with
        {
            FundingOutPoint = fundingOutPoint, FundingSats = fundingSats, RefundHeight = refundHeight, Refund = refund, SignedRefundHex = null,
        });
        if (escrow.FundingOutPoint is { } replaced && replaced != fundingOutPoint)
            Record(at, Actor.Client, "escrow.funding-replaced", ("milestone", milestone.Number), ("previousOutPoint", replaced), ("refundWasSigned", escrow.RefundReady));
        Record(at, Actor.Client, "escrow.refund-prepared", ("milestone", milestone.Number), ("fundingOutPoint", fundingOutPoint),
            ("amount", BtcOf(fundingSats)), ("refundHeight", refundHeight), ("unsignedTxId", refund.UnsignedTxId));
    }

    /// <summary>
    /// Signatures on the refund were accepted. When <paramref name="signedHex"/> is given the refund is complete and
    /// verified: the escrow address now takes the milestone's funding.
    /// </summary>
    public void RecordRefundSignatures(Guid milestoneId, Actor by, IReadOnlyList<EscrowRole> newSigners, SigningRound round, string? signedHex, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, escrow) = EscrowFor(milestoneId);
        if (escrow.Refund is null || escrow.Refund.UnsignedTxId != round.UnsignedTxId)
            throw new EscrowException("escrow.refund-replaced", "The refund was prepared again meanwhile; download the new one and sign that.");
        if (escrow.RefundReady)
            return;
        // A coin already at the address that is exactly the prepared funding (the client sent it before the refund was
        // signed) becomes the funding now that the refund covers it.
        var unexpected = signedHex is null ? escrow.UnexpectedCoins : [.. escrow.UnexpectedCoins.Where(c => c.OutPoint != escrow.FundingOutPoint || c.ReturnSpendId is not null)];
        NonCustodial = NonCustodial.WithEscrow(escrow with { Refund = round, SignedRefundHex = signedHex, Unexpected = unexpected });
        Record(at, by, "escrow.refund-signature", ("milestone", milestone.Number), ("signedBy", string.Join(",", newSigners.Select(r => r.Noun()))));
        if (signedHex is null)
            return;
        Record(at, by, "escrow.refund-signed", ("milestone", milestone.Number), ("refundHeight", escrow.RefundHeight));
        var invoiceId = ChainInvoicePrefix + escrow.Address;
        if (_invoices.All(i => i.InvoiceId != invoiceId))
        {
            RegisterFundingInvoice(RequestFunding([milestone.Id]), invoiceId, "bitcoin:" + escrow.Address, at);
        }
    }

    /// <summary>A signing round opened for the payout instructions one decision queued for a milestone (their "pull payment").</summary>
    public void OpenEscrowSpend(EscrowSpendRecord spend, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, _) = EscrowFor(spend.MilestoneId);
        if (NonCustodial.Spends.Any(s => s.Id == spend.Id || (s.MilestoneId == spend.MilestoneId && s.PayoutIds.Intersect(spend.PayoutIds).Any())))
            return;
        foreach (var payoutId in spend.PayoutIds)
            if (Payout(payoutId) is not { Status: PayoutStatus.Queued } p || p.MilestoneId != milestone.Id)
                throw new EscrowException("escrow.spend-payouts", "A signing round can only carry queued payouts of its own milestone.");
        NonCustodial = NonCustodial.WithSpend(spend);
        Record(at, Actor.PayoutWorker, "escrow.spend-opened", ("milestone", milestone.Number), ("kind", spend.Round.Kind.ToString()),
            ("unsignedTxId", spend.Round.UnsignedTxId), ("signers", spend.Round.Rule.Describe()));
        foreach (var payoutId in spend.PayoutIds)
            MarkPayoutClaimable(payoutId, PayoutReference(spend, payoutId), "#spend-" + spend.Id.ToString("N"), at);
    }

    public EscrowSpendRecord Spend(Guid spendId) =>
        NonCustodial.Spends.FirstOrDefault(s => s.Id == spendId) ?? throw new NotFoundException("That signing round");

    public void RecordSpendSignatures(Guid spendId, Actor by, IReadOnlyList<EscrowRole> newSigners, SigningRound round, DateTimeOffset now)
    {
        var at = Moment(now);
        var spend = Spend(spendId);
        if (spend.Status != EscrowSpendStatus.Collecting || spend.Round.UnsignedTxId != round.UnsignedTxId)
            throw new InvalidTransitionException("escrow.spend-closed", "This transaction is no longer collecting signatures.");
        NonCustodial = NonCustodial.WithSpend(spend with { Round = round });
        Record(at, by, "escrow.spend-signature", ("milestone", Milestone(spend.MilestoneId).Number), ("unsignedTxId", round.UnsignedTxId),
            ("signedBy", string.Join(",", newSigners.Select(r => r.Noun()))));
    }

    /// <summary>The chain's answer to the finalised transaction: taken (waiting for a block) or refused with its reason.</summary>
    public void RecordSpendBroadcast(Guid spendId, string txId, string? refusal, DateTimeOffset now)
    {
        var at = Moment(now);
        var spend = Spend(spendId);
        if (spend.Status != EscrowSpendStatus.Collecting)
            return;
        if (refusal is not null)
        {
            NonCustodial = NonCustodial.WithSpend(spend with { LastError = Text.Excerpt(refusal, 500) });
            Record(at, Actor.PayoutWorker, "escrow.spend-refused", ("txId", txId), ("reason", Text.Excerpt(refusal, 500)));
            return;
        }
        NonCustodial = NonCustodial.WithSpend(spend with { Status = EscrowSpendStatus.Broadcast, TxId = txId, LastError = null, BroadcastAt = at });
        Record(at, Actor.PayoutWorker, "escrow.spend-broadcast", ("milestone", Milestone(spend.MilestoneId).Number), ("txId", txId));
    }

    /// <summary>The spend is in a block: each payout it carries completes, as a pull payment's payout would.</summary>
    public void RecordSpendConfirmed(Guid spendId, DateTimeOffset now)
    {
        var at = Moment(now);
        var spend = Spend(spendId);
        if (spend.Status != EscrowSpendStatus.Broadcast)
            return;
        NonCustodial = NonCustodial.WithSpend(spend with { Status = EscrowSpendStatus.Confirmed, ConfirmedAt = at });
        Record(at, Actor.PaymentProvider, "escrow.spend-confirmed", ("txId", spend.TxId));
        if (NonCustodial.EscrowOf(spend.MilestoneId) is { } escrow && escrow.UnexpectedCoins.Any(c => c.ReturnSpendId == spend.Id))
        {
            NonCustodial = NonCustodial.WithEscrow(escrow with
            {
                Unexpected = [.. escrow.UnexpectedCoins.Select(c => c.ReturnSpendId == spend.Id ? c with { Returned = true } : c)],
            });
            Record(at, Actor.PaymentProvider, "escrow.unexpected-returned", ("milestone", Milestone(spend.MilestoneId).Number), ("txId", spend.TxId));
        }
        foreach (var payoutId in spend.PayoutIds)
            ApplyPaymentEvent(new InboundPaymentEvent($"chain:{spend.TxId}:{payoutId:N}", InboundEventKind.PayoutCompleted, at,
                PullPaymentId: PayoutReference(spend, payoutId), PayoutId: spend.TxId), at);
    }

    /// <summary>
    /// A coin at the escrow address that is not the milestone's funding: recorded once, never counted as funding (the
    /// pre-signed refund cannot spend it). Answers whether it was new.
    /// </summary>
    public bool RecordUnexpectedEscrowCoin(Guid milestoneId, string outPoint, long sats, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, escrow) = EscrowFor(milestoneId);
        if (sats <= 0)
            throw new InvalidInputException("amount", "A coin has a positive amount.");
        if (escrow.IsFunding(outPoint) || escrow.UnexpectedCoins.Any(c => c.OutPoint == outPoint))
            return false;
        NonCustodial = NonCustodial.WithEscrow(escrow with { Unexpected = [.. escrow.UnexpectedCoins, new UnexpectedEscrowCoin(outPoint, sats, at)] });
        Record(at, Actor.PaymentProvider, "escrow.unexpected-coin", ("milestone", milestone.Number), ("outPoint", outPoint), ("amount", BtcOf(sats)),
            ("fundingOutPoint", escrow.RefundReady ? escrow.FundingOutPoint : null));
        return true;
    }

    /// <summary>
    /// A coin the chain showed at the escrow address, unconfirmed, is gone (dropped from the mempool, replaced): a seen
    /// funding payment no longer stands (it had not counted yet), an unexpected coin is no longer there to return.
    /// </summary>
    public bool RecordEscrowCoinVanished(Guid milestoneId, string outPoint, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, escrow) = EscrowFor(milestoneId);
        if (escrow.UnexpectedCoins.FirstOrDefault(c => c.OutPoint == outPoint) is { ReturnSpendId: null, Returned: false })
        {
            NonCustodial = NonCustodial.WithEscrow(escrow with { Unexpected = [.. escrow.UnexpectedCoins.Where(c => c.OutPoint != outPoint)] });
            Record(at, Actor.PaymentProvider, "escrow.coin-vanished", ("milestone", milestone.Number), ("outPoint", outPoint));
            return true;
        }
        if (_payments.FirstOrDefault(p => p.PaymentId == outPoint && p.InvoiceId == ChainInvoicePrefix + escrow.Address) is { Status: PaymentStatus.Received } payment)
        {
            payment.SetStatus(PaymentStatus.Invalidated);
            Record(at, Actor.PaymentProvider, "payment.vanished", ("milestone", milestone.Number), ("paymentId", outPoint), ("amount", payment.Credited));
            return true;
        }
        return false;
    }

    /// <summary>The agency returns unexpected coins to the client: a spend of those coins alone, signed by client and agency.</summary>
    public void OpenReturnSpend(EscrowSpendRecord spend, IReadOnlyList<string> outPoints, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        var (milestone, escrow) = EscrowFor(spend.MilestoneId);
        if (spend.PayoutIds.Count > 0 || spend.Round.Kind != SpendKind.ClientRefund)
            throw new ArgumentException("A return is a client refund carrying no payout.", nameof(spend));
        if (outPoints.Count == 0 || outPoints.Any(o => escrow.UnexpectedCoins.FirstOrDefault(c => c.OutPoint == o) is not { ReturnSpendId: null, Returned: false }))
            throw new InvalidTransitionException("escrow.return-coins", "Those coins are not waiting to be returned (already being returned, or gone).");
        NonCustodial = NonCustodial.WithEscrow(escrow with
        {
            Unexpected = [.. escrow.UnexpectedCoins.Select(c => outPoints.Contains(c.OutPoint) ? c with { ReturnSpendId = spend.Id } : c)],
        }).WithSpend(spend);
        Record(at, by, "escrow.return-opened", ("milestone", milestone.Number), ("outPoints", string.Join(",", outPoints)),
            ("unsignedTxId", spend.Round.UnsignedTxId), ("signers", spend.Round.Rule.Describe()));
    }

    public static string PayoutReference(EscrowSpendRecord spend, Guid payoutId) => $"{spend.Reference}:{payoutId:N}";

    private (Milestone Milestone, MilestoneEscrowRecord Escrow) EscrowFor(Guid milestoneId)
    {
        EnsureNonCustodial();
        var milestone = Milestone(milestoneId);
        var escrow = NonCustodial.EscrowOf(milestoneId)
            ?? throw new InvalidTransitionException("escrow.no-address", $"Milestone {milestone.Number} has no escrow address yet: all three keys are needed first.");
        return (milestone, escrow);
    }

    private void EnsureNonCustodial()
    {
        if (!IsNonCustodial)
            throw new InvalidTransitionException("escrow.custodial", "This contract is custodial: the store's wallet holds its money, and no keys are needed.");
    }

    private void EnsureKeyGivenBeforeAcceptance(PartyRole role)
    {
        if (IsNonCustodial && NonCustodial.KeyOf(ToEscrowRole(role)) is null)
            throw new InvalidTransitionException("escrow.key-missing",
                "Give the key of your wallet (and the address the escrow pays you at) before accepting: the escrow addresses are built from it.");
    }

    public static EscrowRole ToEscrowRole(PartyRole role) => role == PartyRole.Client ? EscrowRole.Client : EscrowRole.Freelancer;

    internal static Money BtcOf(long sats) => Money.Of(sats / 100_000_000m, "BTC");
}
