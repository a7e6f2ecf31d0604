using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core.Application;
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
    [Fact]
    public async Task The_receipt_verifies_a_stored_chain_whose_head_the_contract_row_remembers()
    {
        var contract = await StoredFundedAsync();

        var result = await Receipt().VerifyAsync(contract.Id, CancellationToken.None);

        Assert.True(result.IsValid, result.Problem);
        Assert.Equal((contract.AuditCount, contract.AuditHeadHash), (result.EntryCount, result.HeadHash));
    }

    [Fact]
    public async Task The_receipt_catches_a_log_that_runs_past_what_the_contract_recorded()
    {
        // As if an entry had been appended outside a save: the chain itself still links up, only the row disagrees.
        var contract = await StoredFundedAsync();
        await using (var store = database.NewStore())
        {
            var entries = await store.ReadAsync(contract.Id, CancellationToken.None);
            await SetRecordedHeadAsync(contract.Id, entries.Count - 1, entries[^2].Hash);
        }

        var result = await Receipt().VerifyAsync(contract.Id, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(contract.AuditCount, result.FirstBrokenSequence);
        Assert.Contains("recorded only", result.Problem);
    }

    [Fact]
    public async Task The_receipt_catches_a_log_cut_short_of_what_the_contract_recorded()
    {
        var contract = await StoredFundedAsync();
        await SetRecordedHeadAsync(contract.Id, contract.AuditCount + 1, new string('a', 64));

        var result = await Receipt().VerifyAsync(contract.Id, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(contract.AuditCount + 1, result.FirstBrokenSequence);
        Assert.Contains($"recorded {contract.AuditCount + 1} entries", result.Problem);
    }

    private AuditReceipt Receipt()
    {
        return new AuditReceipt(new EfContractStoreFactory(database.NewContext));
    }

    private async Task<Contract> StoredFundedAsync()
    {
        var contract = Build.Funded(Build.Clock());
        await database.AddAsync(contract);
        return contract;
    }

    private Task<int> SetRecordedHeadAsync(Guid contractId, int count, string head) => database.ExecuteAsync(
        $"UPDATE {database.Table("Contracts")} SET \"AuditCount\" = {{0}}, \"AuditHeadHash\" = {{1}} WHERE \"Id\" = {{2}}", count, head, contractId);
}
