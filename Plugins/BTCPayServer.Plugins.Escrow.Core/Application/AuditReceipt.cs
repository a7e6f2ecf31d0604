using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Checks a stored chain end to end, including that its head is the one the contract row remembers (so a cut tail shows).</summary>
public sealed class AuditReceipt(IAuditLog log)
{
    public async Task<AuditVerification> VerifyAsync(Guid contractId, CancellationToken cancellationToken) =>
        (await ReadVerifiedAsync(contractId, cancellationToken)).Verification;

    /// <summary>The stored entries (oldest first) and what checking them against the contract row found.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Entries, AuditVerification Verification)> ReadVerifiedAsync(Guid contractId, CancellationToken cancellationToken)
    {
        // The row, the log, the row again. Entries are append-only and saved in the same transaction as the row, so
        // the log read in between holds at least what the first row read recorded and at most what the second one did;
        // saves in between only add entries after the first head. So: the first recorded head must be the entry at its
        // count (a cut tail or a rewritten chain shows, a busy contract does not), and the log may not run past the
        // second read (an entry appended outside a save shows). Retrying until two reads agreed failed under steady saves.
        var before = await RecordedHeadAsync(contractId, cancellationToken);
        var entries = (await log.ReadAsync(contractId, cancellationToken)).OrderBy(e => e.Sequence).ToList();
        var after = await RecordedHeadAsync(contractId, cancellationToken);
        return (entries, Check(entries, before, after));
    }

    private static AuditVerification Check(List<AuditEntry> entries, RecordedAuditHead before, RecordedAuditHead after)
    {
        var result = AuditChain.Verify(entries);
        if (!result.IsValid)
            return result;
        if (HeadAt(entries, before.Count) != before.Head)
            return Broken(result, Math.Min(result.EntryCount, before.Count) + 1, $"The chain ends at entry {result.EntryCount}, but the contract recorded {before.Count} entries.");
        if (entries.Count > after.Count || (entries.Count == after.Count && HeadAt(entries, after.Count) != after.Head))
            return Broken(result, after.Count + 1, $"The chain has {result.EntryCount} entries, but the contract recorded only {after.Count}.");
        return result;
    }

    private static string? HeadAt(List<AuditEntry> entries, int count) =>
        count == 0 ? AuditEntry.GenesisHash : count <= entries.Count ? entries[count - 1].Hash : null;

    private static AuditVerification Broken(AuditVerification result, int firstBroken, string problem) =>
        result with { IsValid = false, FirstBrokenSequence = firstBroken, Problem = problem };

    private async Task<RecordedAuditHead> RecordedHeadAsync(Guid contractId, CancellationToken cancellationToken) =>
        // The row's two columns only, read fresh each time (never a contract some store already tracks).
        await log.ReadRecordedHeadAsync(contractId, cancellationToken) ?? throw new ContractNotFoundException();
}
