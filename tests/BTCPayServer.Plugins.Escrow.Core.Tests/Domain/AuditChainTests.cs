using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class AuditChainTests
{
    /// <summary>A contract that went through drafting, funding, delivery, approval, a dispute and a ruling.</summary>
    private static Contract Lived()
    {
        var contract = new ContractBuilder().WithFee(5m).WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        contract.IssuePartyLink(PartyRole.Client, Staff, Start);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start.AddDays(1));
        contract.MakeClaimable(contract.ReleaseOf(1)!, Start.AddDays(1));
        var id = contract.M(2).Id;
        contract.OpenDispute(id, PartyRole.Client, "Late and incomplete", Start.AddDays(2));
        contract.EscalateDispute(id, Actor.Client, Start.AddDays(3));
        contract.RuleOnDispute(id, 1.5m, "Mostly delivered", Staff, Start.AddDays(4));
        return contract;
    }

    /// <summary>What an attacker with write access to storage could do: change a stored column.</summary>
    private static void Tamper(AuditEntry entry, string property, object value) =>
        typeof(AuditEntry).GetProperty(property)!.SetValue(entry, value);

    private static List<AuditEntry> EntriesOf(Contract contract) => [.. contract.UnsavedAuditEntries];

    [Fact]
    public void Every_act_appends_to_the_audit_log()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Draft();
        var counts = new List<int> { contract.AuditCount };
        void Then(Action act) { act(); counts.Add(contract.AuditCount); }

        Then(() => contract.Propose(Staff, Start));
        Then(() => contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start));
        Then(() => contract.AcceptTerms(PartyRole.Freelancer, contract.LatestTermsVersion!.Hash, Start));
        var invoice = contract.Invoice(1);
        counts.Add(contract.AuditCount);
        Then(() => contract.Pay(invoice, 1m));
        Then(() => contract.Submit(1));
        Then(() => contract.RequestChanges(contract.M(1).Id, "Tweak", Start));
        Then(() => contract.Submit(1));
        Then(() => contract.Approve(contract.M(1).Id, Start));
        Then(() => contract.MakeClaimable(contract.ReleaseOf(1)!));
        Then(() => contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start));
        Then(() => contract.RevokePartyLink(PartyRole.Freelancer, Staff, Start));

        Assert.All(counts.Zip(counts.Skip(1)), pair => Assert.True(pair.Second > pair.First));
        Assert.Equal(contract.AuditCount, contract.UnsavedAuditEntries.Count);
        Assert.Equal(Enumerable.Range(1, contract.AuditCount), contract.UnsavedAuditEntries.Select(e => e.Sequence));
        Assert.Equal(contract.AuditHeadHash, contract.UnsavedAuditEntries[^1].Hash);
    }

    [Fact]
    public void Entries_name_the_act_the_actor_and_the_facts()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        contract.Submit(1);

        var submitted = contract.UnsavedAuditEntries.Single(e => e.Type == "milestone.submitted");

        Assert.Equal(ActorRole.Freelancer, submitted.ActorRole);
        Assert.Equal(contract.Id, submitted.ContractId);
        Assert.Equal("1", submitted.ReadData()["milestone"]);
        Assert.Equal((Start + TimeSpan.FromDays(14)).UtcDateTime.ToString("O"), submitted.ReadData()["reviewDeadline"]);
        var created = contract.UnsavedAuditEntries[0];
        Assert.Equal(ActorRole.Agency, created.ActorRole);
        Assert.Equal("staff-1", created.ActorId);
        Assert.Equal(AuditEntry.GenesisHash, created.PreviousHash);
    }

    [Fact]
    public void The_chain_of_a_real_contract_verifies()
    {
        var contract = Lived();

        var result = AuditChain.Verify(EntriesOf(contract));

        Assert.True(result.IsValid, result.Problem);
        Assert.Equal(contract.AuditCount, result.EntryCount);
        Assert.Equal(contract.AuditHeadHash, result.HeadHash);
        Assert.Null(result.FirstBrokenSequence);
    }

    [Fact]
    public void The_chain_verifies_in_whatever_order_entries_are_read()
    {
        var entries = EntriesOf(Lived());
        entries.Reverse();

        Assert.True(AuditChain.Verify(entries).IsValid);
    }

    [Fact]
    public void The_chain_continues_across_saves()
    {
        var contract = new ContractBuilder().Active();
        var saved = EntriesOf(contract);
        contract.MarkSaved();
        Assert.Empty(contract.UnsavedAuditEntries);

        contract.Fund(1);

        Assert.Equal(saved.Count + 1, contract.UnsavedAuditEntries[0].Sequence);
        Assert.True(AuditChain.Verify([.. saved, .. contract.UnsavedAuditEntries]).IsValid);
    }

    [Fact]
    public void Changed_data_is_reported_at_the_entry_that_was_changed()
    {
        var entries = EntriesOf(Lived());
        var victim = entries.First(e => e.Type == "dispute.ruled");
        Tamper(victim, nameof(AuditEntry.Data), victim.Data.Replace("1.50000000 BTC", "0.50000000 BTC"));

        var result = AuditChain.Verify(entries);

        Assert.False(result.IsValid);
        Assert.Equal(victim.Sequence, result.FirstBrokenSequence);
        Assert.Equal($"Entry {victim.Sequence} was changed after it was written.", result.Problem);
        Assert.Equal(victim.Sequence - 1, result.EntryCount);
    }

    [Theory]
    [InlineData(nameof(AuditEntry.Type), "milestone.refunded")]
    [InlineData(nameof(AuditEntry.ActorId), "someone-else")]
    [InlineData(nameof(AuditEntry.Hash), "1111111111111111111111111111111111111111111111111111111111111111")]
    public void Any_changed_field_is_reported_at_that_entry(string property, string value)
    {
        var entries = EntriesOf(Lived());
        var victim = entries[5];
        Tamper(victim, property, value);

        var result = AuditChain.Verify(entries);

        Assert.Equal(victim.Sequence, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_changed_time_is_reported_at_that_entry()
    {
        var entries = EntriesOf(Lived());
        Tamper(entries[3], nameof(AuditEntry.At), entries[3].At.AddSeconds(-1));

        Assert.Equal(entries[3].Sequence, AuditChain.Verify(entries).FirstBrokenSequence);
    }

    [Fact]
    public void An_entry_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next_one()
    {
        var entries = EntriesOf(Lived());
        var victim = entries[6];
        Tamper(victim, nameof(AuditEntry.Data), "{}");
        Tamper(victim, nameof(AuditEntry.Hash), victim.ComputeHash());

        var result = AuditChain.Verify(entries);

        Assert.Equal(victim.Sequence + 1, result.FirstBrokenSequence);
        Assert.Equal($"Entry {victim.Sequence + 1} does not link to the entry before it.", result.Problem);
    }

    [Fact]
    public void A_changed_link_is_reported_at_that_entry()
    {
        var entries = EntriesOf(Lived());
        Tamper(entries[4], nameof(AuditEntry.PreviousHash), entries[2].Hash);

        var result = AuditChain.Verify(entries);

        Assert.Equal(entries[4].Sequence, result.FirstBrokenSequence);
        Assert.Contains("does not link", result.Problem);
    }

    [Fact]
    public void A_removed_entry_is_reported_as_missing()
    {
        var entries = EntriesOf(Lived());
        var removed = entries[7];
        entries.Remove(removed);

        var result = AuditChain.Verify(entries);

        Assert.Equal(removed.Sequence, result.FirstBrokenSequence);
        Assert.Equal($"Entry {removed.Sequence} is missing.", result.Problem);
    }

    [Fact]
    public void A_chain_cut_short_verifies_but_no_longer_ends_at_the_contract_head()
    {
        var contract = Lived();
        var entries = EntriesOf(contract);
        entries.RemoveAt(entries.Count - 1);

        var result = AuditChain.Verify(entries);

        Assert.True(result.IsValid);
        Assert.NotEqual(contract.AuditHeadHash, result.HeadHash);
        Assert.Equal(contract.AuditCount - 1, result.EntryCount);
    }

    [Fact]
    public void Entry_times_are_kept_to_the_millisecond_so_the_chain_survives_storage()
    {
        var contract = Contract.CreateDraft(StoreId, new ContractBuilder().Terms(), Staff, Start.AddTicks(12_345));

        var entry = contract.UnsavedAuditEntries[0];

        Assert.Equal(Start.AddMilliseconds(1), entry.At);
        Assert.Equal(TimeSpan.Zero, entry.At.Offset);
        Assert.True(AuditChain.Verify([entry]).IsValid);
    }

    [Fact]
    public void An_empty_chain_is_valid_and_starts_at_the_genesis_hash()
    {
        var result = AuditChain.Verify([]);

        Assert.True(result.IsValid);
        Assert.Equal(0, result.EntryCount);
        Assert.Equal(AuditEntry.GenesisHash, result.HeadHash);
    }
}
