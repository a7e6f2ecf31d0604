using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// Keeps the key tables (<see cref="ProcessedEventRow"/>, <see cref="PartyTokenRow"/>) in step with the contract's
/// JSON lists they index. A store remembers the keys each contract had when it was loaded (or last saved); a save adds
/// a row for every new key and removes the rows of keys no longer in the list, in the contract's own transaction.
/// </summary>
internal sealed class ContractKeys
{
    private readonly Dictionary<Guid, (HashSet<string> Events, HashSet<string> Tokens)> _stored = [];

    /// <summary>The keys as they are in the database now (after a load, or after a successful save).</summary>
    public void Remember(Contract contract) =>
        _stored[contract.Id] = (contract.ProcessedEvents.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal),
            contract.PartyAccess.Select(a => a.TokenHash).ToHashSet(StringComparer.Ordinal));

    /// <summary>Adds and removes key rows for what changed since <see cref="Remember"/> (everything, for a new contract).</summary>
    public void Write(DbContext db, Contract contract)
    {
        var (events, tokens, removed) = Changes(contract);
        db.AddRange(events);
        db.AddRange(tokens);
        foreach (var hash in removed)
            db.Remove(new PartyTokenRow { TokenHash = hash, ContractId = contract.Id });
    }

    /// <summary>The key rows to add and the token hashes whose rows to remove, since <see cref="Remember"/>.</summary>
    public (List<ProcessedEventRow> Events, List<PartyTokenRow> Tokens, List<string> RemovedTokens) Changes(Contract contract)
    {
        var (events, tokens) = _stored.TryGetValue(contract.Id, out var known) ? known : ([], []);
        var newEvents = contract.ProcessedEvents.Where(e => !events.Contains(e.EventId))
            .Select(e => new ProcessedEventRow { EventId = e.EventId, ContractId = contract.Id, Kind = e.Kind, ProcessedAt = e.ProcessedAt })
            .ToList();
        var current = new HashSet<string>(StringComparer.Ordinal);
        var newTokens = new List<PartyTokenRow>();
        foreach (var access in contract.PartyAccess)
        {
            current.Add(access.TokenHash);
            if (!tokens.Contains(access.TokenHash))
                newTokens.Add(new PartyTokenRow { TokenHash = access.TokenHash, ContractId = contract.Id, Role = access.Role });
        }
        return (newEvents, newTokens, tokens.Where(t => !current.Contains(t)).ToList());
    }
}
