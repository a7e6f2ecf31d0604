using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// What the hand-written contract path on PostgreSQL logs (at debug level, through the context's logging): each batch
/// it sends (a load or a save, one round trip each, with its statements; a save is its own implicit transaction, so it
/// has no commit of its own). EF's own command events do not see it.
/// </summary>
public static class ContractRowsEvents
{
    public static readonly EventId BatchExecuted = new(41001, "EscrowContractBatchExecuted");
}
