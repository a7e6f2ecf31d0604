using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Migrations;

/// <summary>
/// A full export of a database: every contract as the domain sees it (<see cref="Snapshot"/>: every value, every list
/// in order, payouts included), its audit entries, and whether its chain verifies against the contract row. Two
/// databases with equal exports hold the same escrow, whatever their table shapes.
/// </summary>
internal static class DatabaseExport
{
    public static async Task<string> OfAsync(StoreDatabase database)
    {
        List<Guid> ids;
        await using (var db = database.NewContext())
            ids = await db.Contracts.AsNoTracking().Select(c => c.Id).ToListAsync();
        var contracts = new List<object>();
        foreach (var id in ids.Order())
        {
            await using var store = database.NewStore();
            var contract = await store.FindAsync(id, CancellationToken.None) ?? throw new InvalidOperationException($"{id} vanished");
            var entries = await store.ReadAsync(id, CancellationToken.None);
            var head = await store.ReadRecordedHeadAsync(id, CancellationToken.None);
            var verification = AuditChain.Verify(entries);
            contracts.Add(new
            {
                Contract = WithoutNonCustodial(contract),
                Audit = entries.Select(e => new { e.Sequence, e.Type, e.At, e.ActorRole, e.ActorId, e.Data, e.PreviousHash, e.Hash }).ToList(),
                ChainVerifies = verification.IsValid && head is { } h && h.Count == verification.EntryCount && h.Head == verification.HeadHash,
            });
        }
        return JsonSerializer.Serialize(contracts, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The snapshot without what the fixtures' schema did not have (the custody mode and the non-custodial state, added
    /// by the migration NonCustodialEscrow): a contract carried across is custodial with an empty state, checked here.
    /// </summary>
    private static JsonElement WithoutNonCustodial(Core.Contracts.Contract contract)
    {
        if (contract.Custody != Core.Contracts.CustodyMode.Custodial || contract.NonCustodial != Core.NonCustodial.NonCustodialState.Empty
            && contract.NonCustodial.ToJson() != Core.NonCustodial.NonCustodialState.Empty.ToJson())
            throw new InvalidOperationException($"Contract {contract.Id} came out of the migration as non-custodial.");
        var node = System.Text.Json.Nodes.JsonNode.Parse(Snapshot.Of(contract))!.AsObject();
        foreach (var added in new[] { "Custody", "NonCustodial", "IsNonCustodial", "HasPartyKeys" })
            node.Remove(added);
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }
}
