using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// The non-custodial mode's acts: keys, escrow addresses, the pre-signed refund and the signing of escrow spends. Party
/// acts are reached by the party's link, agency acts by the store; every refusal of outside input (key, address, PSBT)
/// is an <see cref="InvalidInputException"/> naming its field, thrown before anything is saved.
/// </summary>
public sealed class NonCustodialEscrows(
    IContractStoreFactory stores, IEscrowChain chain, IStoreSettingsStore settings, IEscrowIndexCounter indexes, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    /// <summary>Block target of the fee rate proposed for escrow spends, and the rate used when the node cannot estimate.</summary>
    public const int FeeTarget = 6;
    public static readonly FeeRate FallbackFeeRate = new(NBitcoin.Money.Satoshis(2), 1);
    /// <summary>The pre-signed refund becomes valid this long after the milestone's due date (or after this long from now, without one).</summary>
    public static readonly TimeSpan RefundGrace = TimeSpan.FromDays(30);
    private static readonly TimeSpan BlockInterval = TimeSpan.FromMinutes(10);

    private readonly ContractUnitOfWork _work = new(stores, notifier);
    private readonly PartyActions _parties = new(stores, NoGateway.Instance, settings, clock, notifier);

    public Network Network => chain.Network;

    // ---- keys -------------------------------------------------------------------------------------------------------

    /// <summary>The client or freelancer gives their wallet's key and the address this escrow pays them at.</summary>
    public async Task SubmitKeyAsync(string token, string? keyText, string? payoutAddress, CancellationToken cancellationToken)
    {
        var (contract, role) = await _parties.OpenAsync(token, cancellationToken);
        var escrowRole = Contract.ToEscrowRole(role);
        var key = PartyKeyParser.Parse(keyText, escrowRole, chain.Network).Unwrap();
        var address = PayoutAddress.Parse(payoutAddress, "payoutAddress", escrowRole.Noun(), chain.Network).Unwrap();
        // The agency's key is known already: a party key from the agency's wallet is refused now, not when the addresses are made.
        if (await AgencyKeyAsync(contract.StoreId, cancellationToken) is { } agency)
        {
            var clientKey = escrowRole == EscrowRole.Client ? key : StandIn(EscrowRole.Client);
            var freelancerKey = escrowRole == EscrowRole.Freelancer ? key : StandIn(EscrowRole.Freelancer);
            var together = EscrowKeySet.Create(clientKey, freelancerKey, agency.Key, chain.Network);
            if (!together.IsValid)
                throw new InvalidInputException(escrowRole.KeyField(), together.Field == EscrowRole.Agency.KeyField()
                    ? $"This key is the agency's, or comes from the agency's wallet. Give the key of a wallet only you hold: one wallet holding two of the three keys could spend alone."
                    : together.Problem!);
        }
        await _work.ActAsync(PartyLoad(token, contract.Id), c => { c.RecordEscrowKey(role, key, address.ToString(), clock.GetUtcNow()); return true; }, cancellationToken);
    }

    /// <summary>A key no party holds, standing in for a key not given yet when the others are checked against each other.</summary>
    private PartyKey StandIn(EscrowRole role)
    {
        var master = new ExtKey(new Key(Enumerable.Repeat((byte)(role == EscrowRole.Client ? 1 : 2), 32).ToArray()), new byte[32]);
        return new PartyKey(role, master.GetPublicKey().GetHDFingerPrint(), KeyPath.Empty, master.Neuter().GetWif(chain.Network));
    }

    private async Task<(PartyKey Key, string PayoutAddress)?> AgencyKeyAsync(string storeId, CancellationToken cancellationToken)
    {
        var store = await settings.GetAsync(storeId, cancellationToken);
        if (store.AgencyKey is null || store.AgencyPayoutAddress is null)
            return null;
        var key = PartyKeyParser.Parse(store.AgencyKey, EscrowRole.Agency, chain.Network);
        return key.IsValid ? (key.Value!, store.AgencyPayoutAddress) : null;
    }

    /// <summary>Whether the store can offer non-custodial contracts: an agency key on this chain's network.</summary>
    public async Task<bool> StoreIsReadyAsync(string storeId, CancellationToken cancellationToken) =>
        await AgencyKeyAsync(storeId, cancellationToken) is not null;

    /// <summary>
    /// Once the contract is active with both parties' keys, each milestone gets its escrow address at a fresh store-wide
    /// index, with the agency's key of the store's settings. Safe to call any number of times; answers how many were made.
    /// </summary>
    public async Task<int> EnsureEscrowsAsync(Guid contractId, CancellationToken cancellationToken)
    {
        Contract? contract;
        await using (var store = stores.Open())
            contract = await store.FindAsync(contractId, cancellationToken);
        if (contract is null || contract.MilestonesWithoutEscrow().Count == 0)
            return 0;
        var agency = contract.NonCustodial.KeyOf(EscrowRole.Agency) is { } kept
            ? (PartyKeyParser.Parse(kept.Key, EscrowRole.Agency, chain.Network).Unwrap(), kept.PayoutAddress)
            : await AgencyKeyAsync(contract.StoreId, cancellationToken)
              ?? throw new EscrowException("escrow.no-agency-key", "The store has no agency key for non-custodial escrows yet; set it in the escrow settings.");
        var keys = KeySet(contract, agency.Item1);
        var missing = contract.MilestonesWithoutEscrow();
        // Indexes count per agency key, not per store: an agency using one key in two stores never gets the same address
        // twice. A key first used before this counted per store continues from the store's counter.
        var first = await indexes.ReserveAsync(IndexScope(agency.Item1), missing.Count, cancellationToken, continueFrom: contract.StoreId);
        var agencyKey = new StoredEscrowKey(EscrowRole.Agency, agency.Item1.Text, agency.Item1.Fingerprint.ToString(), agency.Item2, clock.GetUtcNow());
        var made = 0;
        await _work.RetryAsync((s, ct) => s.FindAsync(contractId, ct), c =>
        {
            var index = first;
            made = 0;
            foreach (var milestone in c.MilestonesWithoutEscrow().Take(missing.Count))
            {
                var escrow = new MilestoneEscrow(keys, index++);
                c.RecordMilestoneEscrow(agencyKey, new MilestoneEscrowRecord(milestone.Id, escrow.Index, escrow.Address.ToString(), escrow.Descriptor,
                    escrow.WalletDescriptor, Sats(milestone.Required)), clock.GetUtcNow());
                made++;
            }
            return made > 0;
        }, cancellationToken, checkAudit: false);
        return made;
    }

    /// <summary>The index counter's scope of an agency key: its public key and chain code (what derivation depends on), hashed.</summary>
    public static string IndexScope(PartyKey agency)
    {
        var key = agency.AccountKey.ExtPubKey;
        var material = System.Text.Encoding.ASCII.GetBytes(key.PubKey.ToHex() + ":" + Convert.ToHexString(key.ChainCode));
        return "agency-key:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(material)).ToLowerInvariant();
    }

    internal EscrowKeySet KeySet(Contract contract, PartyKey? agency = null)
    {
        PartyKey Read(EscrowRole role) => PartyKeyParser.Parse(contract.NonCustodial.KeyOf(role)?.Key
            ?? throw new EscrowException("escrow.key-missing", $"The {role.Noun()}'s key is missing."), role, chain.Network).Unwrap();
        return EscrowKeySet.Create(Read(EscrowRole.Client), Read(EscrowRole.Freelancer), agency ?? Read(EscrowRole.Agency), chain.Network).Unwrap();
    }

    /// <summary>The milestone's escrow, rebuilt from the stored keys and index (and checked against the stored address).</summary>
    public MilestoneEscrow EscrowOf(Contract contract, Guid milestoneId)
    {
        var record = contract.NonCustodial.EscrowOf(milestoneId)
            ?? throw new InvalidTransitionException("escrow.no-address", "This milestone has no escrow address yet: all three keys are needed first.");
        var escrow = new MilestoneEscrow(KeySet(contract), record.Index);
        if (escrow.Address.ToString() != record.Address)
            throw new EscrowException("escrow.address-mismatch", "The stored escrow address does not match the keys; nothing can be signed for it.");
        return escrow;
    }

    // ---- the pre-signed refund ----------------------------------------------------------------------------------------

    /// <summary>
    /// The client uploads the funding transaction their wallet prepared (unsigned): the refund paying it back is built
    /// against it, for the freelancer and the agency to sign. The client signs and sends the funding only once the
    /// refund is signed and downloaded.
    /// </summary>
    public async Task ProposeFundingAsync(string token, Guid milestoneId, string? fundingPsbt, CancellationToken cancellationToken)
    {
        var (contract, role) = await _parties.OpenAsync(token, cancellationToken);
        if (role != PartyRole.Client)
            throw new EscrowException("party.wrong-role", "Only the client can do this.");
        var escrow = EscrowOf(contract, milestoneId);
        var record = contract.NonCustodial.EscrowOf(milestoneId)!;
        var proposal = FundingProposal.Inspect(fundingPsbt, escrow, NBitcoin.Money.Satoshis(record.AmountSats)).Unwrap();
        var height = await chain.GetHeightAsync(cancellationToken);
        var milestone = contract.Milestone(milestoneId);
        var lockUntil = (milestone.DeliveryDeadline ?? clock.GetUtcNow()) + RefundGrace;
        var blocks = (uint)Math.Max(144, Math.Ceiling((lockUntil - clock.GetUtcNow()) / BlockInterval));
        var refundHeight = (uint)height + blocks;
        var clientAddress = BitcoinAddress.Create(contract.NonCustodial.KeyOf(EscrowRole.Client)!.PayoutAddress, chain.Network);
        var refund = EscrowSpends.PresignedRefund(escrow, [proposal.Coin], clientAddress, refundHeight, await FeeRateAsync(contract.StoreId, cancellationToken)).Unwrap();
        await _work.ActAsync(PartyLoad(token, contract.Id), c =>
        {
            c.PrepareRefund(milestoneId, proposal.OutPoint.ToString(), proposal.Amount.Satoshi, refundHeight, refund, clock.GetUtcNow());
            return true;
        }, cancellationToken);
    }

    /// <summary>The freelancer uploads the refund signed in their wallet.</summary>
    public async Task SignRefundAsync(string token, Guid milestoneId, string? signedPsbt, CancellationToken cancellationToken)
    {
        var (contract, role) = await _parties.OpenAsync(token, cancellationToken);
        await SignRefundAsync(PartyLoad(token, contract.Id), contract, milestoneId, Actor.Party(role), signedPsbt, cancellationToken);
    }

    /// <summary>The agency uploads the refund signed in its wallet.</summary>
    public async Task SignRefundAsync(string storeId, Guid contractId, Guid milestoneId, Actor agency, string? signedPsbt, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        await SignRefundAsync(ContractDrafting.InStore(storeId, contractId), contract, milestoneId, agency, signedPsbt, cancellationToken);
    }

    private async Task SignRefundAsync(Func<IContractStore, CancellationToken, Task<Contract?>> load, Contract contract, Guid milestoneId, Actor by,
        string? signedPsbt, CancellationToken cancellationToken)
    {
        var record = contract.NonCustodial.EscrowOf(milestoneId)
            ?? throw new InvalidTransitionException("escrow.no-address", "This milestone has no escrow address yet.");
        var round = record.Refund ?? throw new InvalidTransitionException("escrow.no-refund", "The client has not prepared the funding yet, so there is no refund to sign.");
        if (record.RefundReady)
            throw new InvalidTransitionException("escrow.refund-signed", "The refund is signed already.");
        var accepted = round.Accept(signedPsbt).Unwrap();
        string? signedHex = null;
        if (accepted.Round.IsComplete)
            signedHex = accepted.Round.Finalise().Unwrap().Hex;
        await _work.ActAsync(load, c =>
        {
            c.RecordRefundSignatures(milestoneId, by, accepted.NewSigners, accepted.Round, signedHex, clock.GetUtcNow());
            return true;
        }, cancellationToken);
    }

    // ---- escrow spends ------------------------------------------------------------------------------------------------

    /// <summary>A party uploads a spend signed in their wallet; when both signatures are in, it is finalised and broadcast.</summary>
    public async Task<EscrowSpendRecord> SignSpendAsync(string token, Guid spendId, string? signedPsbt, CancellationToken cancellationToken)
    {
        var (contract, role) = await _parties.OpenAsync(token, cancellationToken);
        return await SignSpendAsync(PartyLoad(token, contract.Id), contract, spendId, Actor.Party(role), signedPsbt, cancellationToken);
    }

    public async Task<EscrowSpendRecord> SignSpendAsync(string storeId, Guid contractId, Guid spendId, Actor agency, string? signedPsbt, CancellationToken cancellationToken)
    {
        Contract contract;
        await using (var store = stores.Open())
            contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        return await SignSpendAsync(ContractDrafting.InStore(storeId, contractId), contract, spendId, agency, signedPsbt, cancellationToken);
    }

    private async Task<EscrowSpendRecord> SignSpendAsync(Func<IContractStore, CancellationToken, Task<Contract?>> load, Contract contract, Guid spendId, Actor by,
        string? signedPsbt, CancellationToken cancellationToken)
    {
        var spend = contract.Spend(spendId);
        if (spend.Status != EscrowSpendStatus.Collecting || spend.Round.IsComplete)
            throw new InvalidTransitionException("escrow.spend-closed", "This transaction has both signatures already.");
        var accepted = spend.Round.Accept(signedPsbt).Unwrap();
        await _work.ActAsync(load, c =>
        {
            c.RecordSpendSignatures(spendId, by, accepted.NewSigners, accepted.Round, clock.GetUtcNow());
            return true;
        }, cancellationToken);
        if (accepted.Round.IsComplete)
            await BroadcastAsync(contract.Id, spendId, cancellationToken);
        await using var store = stores.Open();
        return (await store.FindAsync(contract.Id, cancellationToken))!.Spend(spendId);
    }

    /// <summary>Finalises a fully signed spend and hands it to the chain; safe to repeat (a node takes the same transaction once).</summary>
    public async Task BroadcastAsync(Guid contractId, Guid spendId, CancellationToken cancellationToken)
    {
        Contract? contract;
        await using (var store = stores.Open())
            contract = await store.FindAsync(contractId, cancellationToken);
        var spend = contract?.Spend(spendId);
        if (spend is not { Status: EscrowSpendStatus.Collecting } || !spend.Round.IsComplete)
            return;
        var finalised = spend.Round.Finalise();
        BroadcastOutcome outcome;
        if (!finalised.IsValid)
            outcome = BroadcastOutcome.Refused(uint256.Zero, finalised.Problem!);
        else
            outcome = await chain.BroadcastAsync(finalised.Value!.Transaction, cancellationToken);
        // Sent twice at once (the worker's round and the upload of the last signature): the node refuses the second copy
        // of a transaction it already has, which is the spend being sent, not refused.
        if (!outcome.Accepted && finalised.IsValid && await ChainHasAsync(outcome.TxId, cancellationToken))
            outcome = BroadcastOutcome.Ok(outcome.TxId);
        await _work.RetryAsync((s, ct) => s.FindAsync(contractId, ct), c =>
        {
            c.RecordSpendBroadcast(spendId, outcome.TxId.ToString(), outcome.Accepted ? null : outcome.Refusal ?? "refused", clock.GetUtcNow());
            return true;
        }, cancellationToken, checkAudit: false);
    }

    /// <summary>Whether the chain already has the transaction; a chain that cannot answer now leaves the refusal standing (the worker offers the spend again).</summary>
    private async Task<bool> ChainHasAsync(uint256 txid, CancellationToken cancellationToken)
    {
        try
        {
            return await chain.GetTransactionAsync(txid, cancellationToken) is not null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The agency returns the milestone's unexpected coins (paid to the escrow address by another transaction than the
    /// prepared funding) to the client: one spend of those confirmed coins alone to the client's payout address, the
    /// network fee out of them, for client and agency to sign. Answers the spend, or refuses with the reason.
    /// </summary>
    public async Task<EscrowSpendRecord> ReturnUnexpectedAsync(string storeId, Guid contractId, Guid milestoneId, Actor agency, CancellationToken cancellationToken)
    {
        Contract contract;
        await using (var store = stores.Open())
            contract = await store.FindInStoreAsync(storeId, contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var escrow = EscrowOf(contract, milestoneId);
        var record = contract.NonCustodial.EscrowOf(milestoneId)!;
        var waiting = record.UnexpectedCoins.Where(c => c.ReturnSpendId is null && !c.Returned).Select(c => c.OutPoint).ToHashSet();
        if (waiting.Count == 0)
            throw new InvalidTransitionException("escrow.return-coins", "This milestone's escrow address holds no unexpected payment waiting to be returned.");
        var coins = (await chain.GetCoinsAsync(escrow.Address, cancellationToken)).Where(c => waiting.Contains(c.OutPoint.ToString())).ToList();
        var confirmed = coins.Where(c => c.Confirmations >= EscrowChainWatcher.MinConfirmations).ToList();
        if (confirmed.Count == 0)
            throw new InvalidTransitionException("escrow.return-unconfirmed", coins.Count == 0
                ? "The unexpected payment is no longer on the chain; there is nothing to return."
                : "The unexpected payment has no confirmation yet; it can be returned once a block confirms it.");
        var withTx = new List<EscrowCoin>();
        foreach (var coin in confirmed)
            withTx.Add(coin.ToEscrowCoin(await chain.GetTransactionAsync(coin.OutPoint.Hash, cancellationToken)));
        var round = EscrowSpends.Propose(escrow, withTx, SpendDecision.RefundClient(), PayeesOf(contract), await FeeRateAsync(storeId, cancellationToken)).Unwrap();
        var spend = new EscrowSpendRecord(Guid.NewGuid(), milestoneId, [], round, EscrowSpendStatus.Collecting, clock.GetUtcNow());
        var outPoints = confirmed.Select(c => c.OutPoint.ToString()).ToList();
        await _work.ActAsync(ContractDrafting.InStore(storeId, contractId), c =>
        {
            c.OpenReturnSpend(spend, outPoints, agency, clock.GetUtcNow());
            return true;
        }, cancellationToken);
        return spend;
    }

    /// <summary>Where the contract's escrow spends pay each party: the payout addresses given with their keys.</summary>
    internal Payees PayeesOf(Contract contract)
    {
        BitcoinAddress Of(EscrowRole role) => BitcoinAddress.Create(contract.NonCustodial.KeyOf(role)!.PayoutAddress, chain.Network);
        return new Payees(Of(EscrowRole.Client), Of(EscrowRole.Freelancer), Of(EscrowRole.Agency));
    }

    /// <summary>The store's chosen network fee rate, else the node's estimate (within the planner's bounds).</summary>
    internal async Task<decimal> FeeRateAsync(string storeId, CancellationToken cancellationToken)
    {
        if ((await settings.GetAsync(storeId, cancellationToken)).NetworkFeeRate is { } chosen)
            return chosen;
        var rate = await chain.GetFeeRateAsync(FeeTarget, FallbackFeeRate, cancellationToken);
        var satPerVByte = decimal.Round(rate.SatoshiPerByte, 1, MidpointRounding.AwayFromZero);
        return Math.Clamp(satPerVByte, SpendPlanner.MinFeeRate, SpendPlanner.MaxFeeRate);
    }

    internal static long Sats(Amounts.Money btc) =>
        btc.Currency == "BTC" ? (long)(btc.Amount * 100_000_000m) : throw new EscrowException("escrow.not-btc", "Non-custodial amounts are in BTC.");

    private Func<IContractStore, CancellationToken, Task<Contract?>> PartyLoad(string token, Guid contractId) => async (store, ct) =>
    {
        var contract = await store.FindByPartyTokenHashAsync(Access.CapabilityToken.HashOf(token), ct);
        return contract is not null && contract.Id == contractId && contract.Authorize(token, clock.GetUtcNow()) is not null ? contract : null;
    };

    /// <summary>The party acts reused here never reach a payment gateway.</summary>
    private sealed class NoGateway : IPaymentGateway
    {
        public static readonly NoGateway Instance = new();
        public Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
