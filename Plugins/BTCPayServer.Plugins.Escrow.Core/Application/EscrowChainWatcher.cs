using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>What one pass of the chain watcher did, for the host's log.</summary>
public sealed record ChainWatchReport(int Contracts, int EscrowsMade, int EventsApplied, int SpendsOpened, int SpendsConfirmed);

/// <summary>
/// Brings non-custodial contracts up to date with the chain, from the hosts' periodic worker: makes missing escrow
/// addresses, turns what an escrow address received into the custodial mode's payment events (a payment per output when
/// seen, the "invoice" settled once the confirmed outputs cover it: under- and overpayment then follow the custodial
/// rules), opens a signing round for queued payouts, re-broadcasts complete spends and completes confirmed ones.
/// Every step is idempotent: running it twice, or concurrently, changes nothing more.
/// </summary>
public sealed class EscrowChainWatcher(
    IEscrowWatchList watchList, IContractStoreFactory stores, IEscrowChain chain, NonCustodialEscrows escrows, PaymentEventHandler events,
    TimeProvider clock, IEscrowNotifier? notifier = null)
{
    public const int MinConfirmations = 1;
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    public async Task<ChainWatchReport> RunAsync(CancellationToken cancellationToken)
    {
        if (!await chain.IsAvailableAsync(cancellationToken))
            return new ChainWatchReport(0, 0, 0, 0, 0);
        var ids = await watchList.ListOpenNonCustodialContractsAsync(cancellationToken);
        int made = 0, applied = 0, opened = 0, confirmed = 0;
        foreach (var id in ids)
        {
            // One load per contract and pass; read again only after a step changed it.
            var contract = await LoadAsync(id, cancellationToken);
            if (contract is null)
                continue;
            if (contract.MilestonesWithoutEscrow().Count > 0)
            {
                try
                {
                    var newEscrows = await escrows.EnsureEscrowsAsync(id, cancellationToken);
                    made += newEscrows;
                    if (newEscrows > 0)
                        contract = await LoadAsync(id, cancellationToken) ?? contract;
                }
                catch (EscrowException)
                {
                    // No agency key yet: the pages say so; the other steps still run.
                }
            }
            try
            {
                var synced = await SyncFundingAsync(contract, cancellationToken);
                applied += synced.Applied;
                if (synced.Changed)
                    contract = await LoadAsync(id, cancellationToken) ?? contract;
                var newSpends = await OpenSpendsAsync(contract, cancellationToken);
                opened += newSpends;
                if (newSpends > 0)
                    contract = await LoadAsync(id, cancellationToken) ?? contract;
                confirmed += await SyncSpendsAsync(contract, cancellationToken);
            }
            catch (EscrowException)
            {
                // One contract in a state its chain work cannot handle (a conflict that outlasted the retries, a stored
                // address that no longer matches its keys) must not stop the others; it is tried again next round.
            }
        }
        return new ChainWatchReport(ids.Count, made, applied, opened, confirmed);
    }

    private async Task<Contract?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        return await store.FindAsync(id, cancellationToken);
    }

    /// <summary>The payment events an escrow address's outputs stand for; the handler applies each event id once.</summary>
    public async Task<int> SyncFundingAsync(Guid contractId, CancellationToken cancellationToken) =>
        await LoadAsync(contractId, cancellationToken) is { } contract ? (await SyncFundingAsync(contract, cancellationToken)).Applied : 0;

    /// <summary>
    /// What each milestone's escrow address holds, once its refund is signed (the address is shown from then on): the
    /// output of the prepared funding becomes the payment events of the milestone's "chain:" invoice (seen, then settled
    /// when confirmed); any other coin is recorded as unexpected, never counted (the pre-signed refund cannot spend it),
    /// for the agency to return; a coin seen unconfirmed that is gone since (dropped, replaced) is recorded as vanished.
    /// </summary>
    private async Task<(int Applied, bool Changed)> SyncFundingAsync(Contract contract, CancellationToken cancellationToken)
    {
        var applied = 0;
        var changed = false;
        // Every address shown to the client, closed milestones' too, for as long as the contract is watched (while it is
        // active and for a while after it closes): a payment made after the milestone closed (a wallet's saved payment,
        // a second copy of the request) is recorded for the agency to return, never left unseen in a 2-of-3 address.
        foreach (var record in contract.NonCustodial.Milestones.Where(m => m.RefundReady))
        {
            var invoiceId = Contract.ChainInvoicePrefix + record.Address;
            var invoice = contract.Invoices.FirstOrDefault(i => i.InvoiceId == invoiceId);
            var address = BitcoinAddress.Create(record.Address, chain.Network);
            await chain.WatchAsync(address, cancellationToken);
            var coins = await chain.GetCoinsAsync(address, cancellationToken);
            var now = clock.GetUtcNow();
            var funding = coins.Where(c => record.IsFunding(c.OutPoint.ToString())).ToList();
            if (invoice is { IsOpen: true })
            {
                foreach (var coin in funding)
                    applied += await ApplyAsync(new InboundPaymentEvent($"chain:{coin.OutPoint}:seen", InboundEventKind.PaymentReceived, now, invoiceId,
                        [Report(coin)]), cancellationToken);
                var confirmed = funding.Where(c => c.Confirmations >= MinConfirmations).ToList();
                if (confirmed.Count > 0 && confirmed.Sum(c => c.Amount.Satoshi) >= NonCustodialEscrows.Sats(invoice.Amount))
                    applied += await ApplyAsync(new InboundPaymentEvent($"chain:{address}:settled", InboundEventKind.InvoiceSettled, now, invoiceId,
                        [.. confirmed.Select(Report)]), cancellationToken);
            }

            var present = coins.Select(c => c.OutPoint.ToString()).ToHashSet();
            var unexpected = coins.Where(c => !record.IsFunding(c.OutPoint.ToString()) && record.UnexpectedCoins.All(u => u.OutPoint != c.OutPoint.ToString())).ToList();
            var vanished = contract.Payments.Where(p => p.InvoiceId == invoiceId && p.Status == PaymentStatus.Received && !present.Contains(p.PaymentId))
                .Select(p => p.PaymentId)
                .Concat(record.UnexpectedCoins.Where(u => u.ReturnSpendId is null && !u.Returned && !present.Contains(u.OutPoint)).Select(u => u.OutPoint))
                .ToList();
            if (unexpected.Count == 0 && vanished.Count == 0)
                continue;
            var milestoneId = record.MilestoneId;
            changed |= await _work.RetryAsync((s, ct) => s.FindAsync(contract.Id, ct), c =>
            {
                var any = false;
                foreach (var coin in unexpected)
                    any |= c.RecordUnexpectedEscrowCoin(milestoneId, coin.OutPoint.ToString(), coin.Amount.Satoshi, clock.GetUtcNow());
                foreach (var outPoint in vanished)
                    any |= c.RecordEscrowCoinVanished(milestoneId, outPoint, clock.GetUtcNow());
                return any;
            }, cancellationToken) == true;
        }
        return (applied, changed || applied > 0);
    }

    private static PaymentReport Report(ChainCoin coin)
    {
        var btc = Amounts.Money.Of(coin.Amount.Satoshi / 100_000_000m, "BTC");
        return new PaymentReport(coin.OutPoint.ToString(), btc, btc, 1m, "BTC-CHAIN");
    }

    private async Task<int> ApplyAsync(InboundPaymentEvent e, CancellationToken cancellationToken) =>
        await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;

    /// <summary>
    /// Queued payouts of a non-custodial contract are paid by one escrow spend per milestone (a ruling's release and
    /// refund in one transaction): the signing round is opened and the payouts become "claimable" at the signing page.
    /// A spend that cannot be built yet (funding unconfirmed, plan refused) is recorded on the payouts and retried.
    /// </summary>
    public async Task<int> OpenSpendsAsync(Guid contractId, CancellationToken cancellationToken) =>
        await LoadAsync(contractId, cancellationToken) is { } contract ? await OpenSpendsAsync(contract, cancellationToken) : 0;

    private async Task<int> OpenSpendsAsync(Contract contract, CancellationToken cancellationToken)
    {
        if (!contract.IsNonCustodial)
            return 0;
        var contractId = contract.Id;
        var now = clock.GetUtcNow();
        var opened = 0;
        foreach (var group in contract.Payouts.Where(p => p.IsDue(now)).GroupBy(p => p.MilestoneId))
        {
            var due = group.ToList();
            var built = group.Key is { } milestoneId && contract.NonCustodial.EscrowOf(milestoneId) is not null
                ? await BuildSpendAsync(contract, milestoneId, due, cancellationToken)
                : Checked<EscrowSpendRecord>.Refused("payout", "This payout belongs to no milestone escrow; a non-custodial contract pays only from a milestone's escrow address.");
            var done = await _work.RetryAsync((s, ct) => s.FindAsync(contractId, ct), c =>
            {
                if (due.Any(p => c.Payout(p.Id).Status != PayoutStatus.Queued))
                    return false;
                if (built.IsValid)
                    c.OpenEscrowSpend(built.Value!, clock.GetUtcNow());
                else
                    foreach (var p in due)
                        c.RecordPayoutFailure(p.Id, built.Problem!, clock.GetUtcNow());
                return true;
            }, cancellationToken);
            if (done == true && built.IsValid)
                opened++;
        }
        return opened;
    }

    private async Task<Checked<EscrowSpendRecord>> BuildSpendAsync(Contract contract, Guid milestoneId, IReadOnlyList<PayoutInstruction> due, CancellationToken cancellationToken)
    {
        var escrow = escrows.EscrowOf(contract, milestoneId);
        var record = contract.NonCustodial.EscrowOf(milestoneId)!;
        // Only the milestone's funding: an unexpected coin at the same address is returned on its own.
        var coins = (await chain.GetCoinsAsync(escrow.Address, cancellationToken))
            .Where(c => c.Confirmations >= MinConfirmations && record.IsFunding(c.OutPoint.ToString())).ToList();
        if (coins.Count == 0)
            return Checked<EscrowSpendRecord>.Refused("coins", "The escrow address has no confirmed funding to spend yet.");
        var withTx = new List<EscrowCoin>();
        foreach (var coin in coins)
            withTx.Add(coin.ToEscrowCoin(await chain.GetTransactionAsync(coin.OutPoint.Hash, cancellationToken)));
        var total = coins.Sum(c => c.Amount.Satoshi);
        var toFreelancer = due.Where(p => p.Recipient == PartyRole.Freelancer).Sum(p => NonCustodialEscrows.Sats(p.PayoutAmount));
        var toClient = due.Where(p => p.Recipient == PartyRole.Client).Sum(p => NonCustodialEscrows.Sats(p.PayoutAmount));
        var fee = total - toFreelancer - toClient;
        if (fee < 0)
            return Checked<EscrowSpendRecord>.Refused("coins", $"The escrow holds {total} sat, less than the {toFreelancer + toClient} sat decided.");
        var dispute = contract.Disputes.LastOrDefault(d => d.MilestoneId == milestoneId);
        var decision = dispute?.Status == Disputes.DisputeStatus.Ruled ? SpendDecision.Rule(Sat(toFreelancer), Sat(fee))
            : toClient > 0 && toFreelancer > 0 ? SpendDecision.AgreedSplit(Sat(toFreelancer), Sat(fee))
            : toFreelancer > 0 ? SpendDecision.Release(Sat(fee))
            : new SpendDecision(SpendKind.ClientRefund, NBitcoin.Money.Zero, Sat(fee));
        var round = EscrowSpends.Propose(escrow, withTx, decision, escrows.PayeesOf(contract), await escrows.FeeRateAsync(contract.StoreId, cancellationToken));
        return round.IsValid
            ? Checked<EscrowSpendRecord>.Ok(new EscrowSpendRecord(Guid.NewGuid(), milestoneId, [.. due.Select(p => p.Id)], round.Value!, EscrowSpendStatus.Collecting, clock.GetUtcNow()))
            : round.Pass<EscrowSpendRecord>();
    }

    private static NBitcoin.Money Sat(long sats) => NBitcoin.Money.Satoshis(sats);

    /// <summary>Complete spends not yet taken by the chain are offered again; broadcast ones are completed once confirmed.</summary>
    public async Task<int> SyncSpendsAsync(Guid contractId, CancellationToken cancellationToken) =>
        await LoadAsync(contractId, cancellationToken) is { } contract ? await SyncSpendsAsync(contract, cancellationToken) : 0;

    private async Task<int> SyncSpendsAsync(Contract contract, CancellationToken cancellationToken)
    {
        var contractId = contract.Id;
        var confirmed = 0;
        foreach (var spend in contract.NonCustodial.Spends)
        {
            if (spend.Status == EscrowSpendStatus.Collecting && spend.Round.IsComplete)
                await escrows.BroadcastAsync(contractId, spend.Id, cancellationToken);
            if (spend.Status != EscrowSpendStatus.Broadcast || !await IsConfirmedAsync(spend, cancellationToken))
                continue;
            if (await _work.RetryAsync((s, ct) => s.FindAsync(contractId, ct), c =>
                {
                    if (c.Spend(spend.Id).Status != EscrowSpendStatus.Broadcast)
                        return false;
                    c.RecordSpendConfirmed(spend.Id, clock.GetUtcNow());
                    return true;
                }, cancellationToken, checkAudit: false) == true)
                confirmed++;
        }
        return confirmed;
    }

    /// <summary>
    /// The chain port reads outputs by address: the spend is confirmed when one of its outputs is seen with a
    /// confirmation (an output its owner spent already at once counts through the others; the largest is tried first).
    /// </summary>
    private async Task<bool> IsConfirmedAsync(EscrowSpendRecord spend, CancellationToken cancellationToken)
    {
        var tx = PSBT.Parse(spend.Round.Psbt, chain.Network).GetGlobalTransaction();
        var txid = uint256.Parse(spend.TxId!);
        foreach (var (output, n) in tx.Outputs.Select((o, i) => (o, i)).OrderByDescending(x => x.o.Value))
        {
            if (output.ScriptPubKey.GetDestinationAddress(chain.Network) is not { } address)
                continue;
            var coins = await chain.GetCoinsAsync(address, cancellationToken);
            if (coins.Any(c => c.OutPoint == new OutPoint(txid, n) && c.Confirmations >= MinConfirmations))
                return true;
        }
        return false;
    }
}
