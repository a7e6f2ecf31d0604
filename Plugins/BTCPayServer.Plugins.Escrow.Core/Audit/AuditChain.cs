namespace BTCPayServer.Plugins.Escrow.Core.Audit;

/// <summary>Result of checking a chain: valid, or the first entry that does not fit and why.</summary>
public sealed record AuditVerification(bool IsValid, int EntryCount, string HeadHash, int? FirstBrokenSequence, string? Problem)
{
    public static AuditVerification Valid(int count, string head) => new(true, count, head, null, null);
}

public static class AuditChain
{
    /// <summary>Walks the entries in sequence order and reports the first one that was altered, removed or reordered.</summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries)
    {
        var expectedPrevious = AuditEntry.GenesisHash;
        var expectedSequence = 1;
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            if (entry.Sequence != expectedSequence)
                return Broken(expectedSequence, expectedSequence - 1, expectedPrevious, $"Entry {expectedSequence} is missing.");
            if (!string.Equals(entry.PreviousHash, expectedPrevious, StringComparison.Ordinal))
                return Broken(entry.Sequence, expectedSequence - 1, expectedPrevious, $"Entry {entry.Sequence} does not link to the entry before it.");
            if (!string.Equals(entry.ComputeHash(), entry.Hash, StringComparison.Ordinal))
                return Broken(entry.Sequence, expectedSequence - 1, expectedPrevious, $"Entry {entry.Sequence} was changed after it was written.");
            expectedPrevious = entry.Hash;
            expectedSequence++;
        }
        return AuditVerification.Valid(expectedSequence - 1, expectedPrevious);
    }

    private static AuditVerification Broken(int sequence, int validCount, string head, string problem) =>
        new(false, validCount, head, sequence, problem);
}
