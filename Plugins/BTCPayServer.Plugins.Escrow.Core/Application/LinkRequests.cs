using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// The work behind the store's public "Email me my link" page: for each of the store's contracts on which the address
/// is a party, the request is recorded on the contract and the party is emailed a fresh link (issued in the same save,
/// stored only as a hash). The email goes to the address the contract holds, so knowing an address gives nothing to
/// anyone but its owner. The page answers the same whatever this finds; this method's result is for logs and tests.
/// </summary>
public sealed class LinkRequests(IContractStoreFactory stores, IContractQueries queries, TimeProvider clock, IEscrowNotifier notifier)
{
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    /// <returns>How many contracts the request was recorded on (and an email queued for).</returns>
    public async Task<int> SendAsync(string storeId, string email, CancellationToken cancellationToken)
    {
        if (!await notifier.CanSendAsync(storeId, cancellationToken))
            return 0;
        var sent = 0;
        foreach (var (contractId, role) in await queries.FindContractsOfPartyAsync(storeId, email, cancellationToken))
        {
            try
            {
                var recorded = await _work.RetryAsync((s, ct) => s.FindInStoreAsync(storeId, contractId, ct), contract =>
                {
                    contract.RecordLinkRequest(role, clock.GetUtcNow());
                    return true;
                }, cancellationToken, checkAudit: false);
                if (recorded == true)
                    sent++;
            }
            catch (EscrowException)
            {
                // The contract changed in between (cancelled, say): nothing to send for it; the others still go.
            }
        }
        return sent;
    }
}
