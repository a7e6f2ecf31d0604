using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Load a contract, act on it, save it; for system work, retried from fresh state on a concurrency conflict.</summary>
public sealed class ContractUnitOfWork(IContractStoreFactory stores)
{
    public const int MaxAttempts = 5;

    /// <summary>One attempt; a conflict goes back to the person acting, who reloads and decides again.</summary>
    public async Task<T> ActAsync<T>(Func<IContractStore, CancellationToken, Task<Contract?>> load, Func<Contract, T> act, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await load(store, cancellationToken) ?? throw new ContractNotFoundException();
        var result = act(contract);
        await store.SaveAsync(contract, cancellationToken);
        return result;
    }

    /// <summary>
    /// System work: retried on conflict, each time on a fresh load. <paramref name="act"/> returns false when it had
    /// nothing to change, and then nothing is saved. Returns null when the contract does not exist.
    /// </summary>
    public async Task<bool?> RetryAsync(Func<IContractStore, CancellationToken, Task<Contract?>> load, Func<Contract, bool> act, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var store = stores.Open();
            var contract = await load(store, cancellationToken);
            if (contract is null)
                return null;
            if (!act(contract))
                return false;
            try
            {
                await store.SaveAsync(contract, cancellationToken);
                return true;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote first; start again from what they stored.
            }
        }
    }
}
