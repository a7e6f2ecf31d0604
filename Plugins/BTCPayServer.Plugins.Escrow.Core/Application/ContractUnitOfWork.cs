using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// Load a contract, act on it, save it; for system work, retried from fresh state on a concurrency conflict. After a
/// save, the parties hear about what changed (best effort: a message that cannot be sent never undoes the act).
/// </summary>
public sealed class ContractUnitOfWork(IContractStoreFactory stores, IEscrowNotifier? notifier = null)
{
    public const int MaxAttempts = 5;

    /// <summary>One attempt; a conflict goes back to the person acting, who reloads and decides again.</summary>
    public async Task<T> ActAsync<T>(Func<IContractStore, CancellationToken, Task<Contract?>> load, Func<Contract, T> act, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await load(store, cancellationToken) ?? throw new ContractNotFoundException();
        var payouts = contract.Payouts.Count;
        var result = act(contract);
        await EnsureMoneyMayMoveAsync(store, contract, payouts, cancellationToken);
        await SaveAndNotifyAsync(store, contract, cancellationToken);
        return result;
    }

    /// <summary>
    /// System work: retried on conflict, each time on a fresh load. <paramref name="act"/> returns false when it had
    /// nothing to change, and then nothing is saved. Returns null when the contract does not exist.
    /// <paramref name="checkAudit"/> false is for incoming payments only: they add money, and a refund they queue
    /// waits in the outbox, whose worker checks the audit log before paying anything.
    /// </summary>
    public async Task<bool?> RetryAsync(Func<IContractStore, CancellationToken, Task<Contract?>> load, Func<Contract, bool> act, CancellationToken cancellationToken, bool checkAudit = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var store = stores.Open();
            var contract = await load(store, cancellationToken);
            if (contract is null)
                return null;
            var payouts = contract.Payouts.Count;
            if (!act(contract))
                return false;
            if (checkAudit)
                await EnsureMoneyMayMoveAsync(store, contract, payouts, cancellationToken);
            try
            {
                await SaveAndNotifyAsync(store, contract, cancellationToken);
                return true;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote first; start again from what they stored.
            }
        }
    }

    /// <summary>
    /// An act that decided a payout (release, refund, ruling, accepted split, late-payment refund) is saved only when the
    /// contract's stored audit log verifies; otherwise nothing of it is saved. Acts that move no money need no check.
    /// </summary>
    private static async Task EnsureMoneyMayMoveAsync(IContractStore store, Contract contract, int payoutsBefore, CancellationToken cancellationToken)
    {
        if (contract.Payouts.Count > payoutsBefore)
            await AuditGuard.EnsureVerifiesAsync(store, contract, cancellationToken);
    }

    /// <summary>Saves, then tells the parties; new contracts go through here too.</summary>
    public async Task SaveAndNotifyAsync(IContractStore store, Contract contract, CancellationToken cancellationToken, bool isNew = false)
    {
        var messages = await PlanAsync(contract, cancellationToken);
        CrashPoints.Reach(CrashPoints.BeforeSave);
        if (isNew)
            await store.AddAsync(contract, cancellationToken);
        else
            await store.SaveAsync(contract, cancellationToken);
        CrashPoints.Reach(CrashPoints.AfterSave);
        await NotifyAsync(messages, cancellationToken);
    }

    /// <summary>Saves contracts the store loaded in one transaction (all or none), then tells each contract's parties.</summary>
    public async Task SaveAllAndNotifyAsync(IContractStore store, IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
    {
        var messages = new List<EscrowNotification>();
        foreach (var contract in contracts)
            messages.AddRange(await PlanAsync(contract, cancellationToken));
        CrashPoints.Reach(CrashPoints.BeforeSave);
        await store.SaveManyAsync(contracts, cancellationToken);
        CrashPoints.Reach(CrashPoints.AfterSave);
        await NotifyAsync(messages, cancellationToken);
    }

    /// <summary>
    /// The messages the unsaved changes call for, minus the kinds the store switched off (its choices are read only
    /// when some message is due). Each party written to gets one fresh link for all of this act's messages, issued on
    /// the contract before it is saved: the link's hash is stored with the act or not at all, and its token lives only
    /// in memory until the email is handed over. The agency's addresses get the staff page, never a party link.
    /// </summary>
    private async Task<IReadOnlyList<EscrowNotification>> PlanAsync(Contract contract, CancellationToken cancellationToken)
    {
        if (notifier is null)
            return [];
        var entries = contract.UnsavedAuditEntries.ToList();
        if (!entries.Any(e => NotificationPlanner.For(contract, e).Count > 0))
            return [];
        var preferences = await notifier.PreferencesAsync(contract.StoreId, cancellationToken);
        var messages = entries.SelectMany(e => NotificationPlanner.For(contract, e, preferences)).ToList();
        if (!notifier.SendsLinks || contract.State == ContractState.Cancelled)
            return messages;
        var links = new Dictionary<PartyRole, PartyLink>();
        return messages.Select(m => m.To is not { } role ? m : m with
        {
            Link = links.TryGetValue(role, out var link) ? link
                : links[role] = new PartyLink(contract.IssueEmailLink(role, Actor.Mailer, m.Cause.At)),
        }).ToList();
    }

    private async Task NotifyAsync(IReadOnlyList<EscrowNotification> messages, CancellationToken cancellationToken)
    {
        foreach (var notification in messages)
        {
            try
            {
                await notifier!.NotifyAsync(notification, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The act is saved; a mail server that is down must not turn it into an error for the person acting.
            }
        }
    }
}
