using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The stored hash chain verifies after a reload, and any change to a stored entry is caught.</summary>
public abstract class AuditLogTests(StoreDatabase database)
{
    [Fact]
    public async Task The_stored_chain_is_the_chain_the_contract_built_and_verifies()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        var lifecycle = new Lifecycle(clock);
        lifecycle.RunAll(contract);
        var written = contract.UnsavedAuditEntries.ToList();
        await database.AddAsync(contract);

        await using var store = database.NewStore();
        var entries = await store.ReadAsync(contract.Id, CancellationToken.None);

        var result = AuditChain.Verify(entries);
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal((contract.AuditCount, contract.AuditHeadHash), (result.EntryCount, result.HeadHash));
        Assert.Equal(written.Select(e => (e.Hash, e.CanonicalText(), e.PreviousHash)), entries.Select(e => (e.Hash, e.CanonicalText(), e.PreviousHash)));
    }

    [Fact]
    public async Task Entries_appended_by_later_saves_extend_the_same_chain()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);
        var lifecycle = new Lifecycle(clock);
        foreach (var (step, i) in lifecycle.Steps.Select((s, i) => (s, i)))
        {
            lifecycle.Tick(i);
            await database.ActAsync(contract.Id, step);
        }

        await using var store = database.NewStore();
        var stored = (await store.FindAsync(contract.Id, CancellationToken.None))!;
        var result = AuditChain.Verify(await store.ReadAsync(contract.Id, CancellationToken.None));
        Assert.True(result.IsValid, result.Problem);
        Assert.Equal((stored.AuditCount, stored.AuditHeadHash), (result.EntryCount, result.HeadHash));
    }

    [Fact]
    public async Task An_entry_changed_directly_in_the_database_is_detected_at_its_sequence()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        await database.AddAsync(contract);

        await database.TamperWithAuditEntryAsync(contract.Id, 3, """{"party":"Attacker"}""");

        await using var store = database.NewStore();
        var result = AuditChain.Verify(await store.ReadAsync(contract.Id, CancellationToken.None));
        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task The_database_rejects_updating_or_deleting_an_entry()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        await database.AddAsync(contract);
        var table = database.Table("AuditEntries");

        var update = await Assert.ThrowsAnyAsync<DbException>(() => database.ExecuteAsync(
            $"UPDATE {table} SET \"Data\" = {{1}} WHERE \"ContractId\" = {{0}} AND \"Sequence\" = 1", contract.Id, "{}"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => database.ExecuteAsync(
            $"DELETE FROM {table} WHERE \"ContractId\" = {{0}}", contract.Id));
        var deleteAll = await Assert.ThrowsAnyAsync<DbException>(() => database.ExecuteAsync($"DELETE FROM {table}"));

        Assert.All(new[] { update, delete, deleteAll }, e => Assert.Contains("append-only", e.Message));
        await using var store = database.NewStore();
        var entries = await store.ReadAsync(contract.Id, CancellationToken.None);
        Assert.Equal(contract.AuditCount, entries.Count);
        Assert.True(AuditChain.Verify(entries).IsValid);
    }

    [Fact]
    public async Task A_contract_with_audit_entries_cannot_be_deleted()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        await database.AddAsync(contract);

        await Assert.ThrowsAnyAsync<DbException>(() => database.ExecuteAsync(
            $"DELETE FROM {database.Table("Contracts")} WHERE \"Id\" = {{0}}", contract.Id));

        Assert.Equal(ContractState.Draft, (await database.LoadAsync(contract.Id)).State);
    }
}
