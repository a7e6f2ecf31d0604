using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>Duplicate events and repeated decisions never count or pay twice, whatever the timing.</summary>
public abstract class IdempotencyTests(StoreDatabase database)
{
    [Fact]
    public async Task An_event_delivered_again_later_is_applied_once()
    {
        var (contract, invoice, clock) = await InvoicedAsync();
        var settled = Build.Settled(invoice, clock, Build.Unique("evt"), Build.Unique("pay"));

        await database.ActAsync(contract.Id, c => Assert.True(c.ApplyPaymentEvent(settled, clock.GetUtcNow())));
        await database.ActAsync(contract.Id, c => Assert.False(c.ApplyPaymentEvent(settled, clock.GetUtcNow())));

        var stored = await database.LoadAsync(contract.Id);
        Assert.Single(stored.ProcessedEvents);
        Assert.Single(stored.Payments);
        Assert.Equal(invoice.Amount, stored.Ledger.Received);
    }

    [Fact]
    public async Task The_same_event_applied_by_two_workers_at_once_is_stored_once()
    {
        var (contract, invoice, clock) = await InvoicedAsync();
        var settled = Build.Settled(invoice, clock, Build.Unique("evt"), Build.Unique("pay"));

        await using var workerA = database.NewStore();
        await using var workerB = database.NewStore();
        var a = (await workerA.FindAsync(contract.Id, CancellationToken.None))!;
        var b = (await workerB.FindAsync(contract.Id, CancellationToken.None))!;
        Assert.True(a.ApplyPaymentEvent(settled, clock.GetUtcNow()));
        Assert.True(b.ApplyPaymentEvent(settled, clock.GetUtcNow()));
        await workerA.SaveAsync(a, CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => workerB.SaveAsync(b, CancellationToken.None));

        var stored = await database.LoadAsync(contract.Id);
        Assert.Single(stored.ProcessedEvents);
        Assert.Equal(invoice.Amount, stored.Ledger.Received);
    }

    [Fact]
    public async Task An_event_id_already_used_by_another_contract_surfaces_as_a_conflict_and_changes_nothing()
    {
        var (first, firstInvoice, clock) = await InvoicedAsync();
        var (second, secondInvoice, _) = await InvoicedAsync();
        var eventId = Build.Unique("evt");
        await database.ActAsync(first.Id, c => c.ApplyPaymentEvent(Build.Settled(firstInvoice, clock, eventId, Build.Unique("pay")), clock.GetUtcNow()));
        var before = Snapshot.Of(await database.LoadAsync(second.Id));

        // No row version can catch this one (another contract): only the unique key on the event id does.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => database.ActAsync(second.Id,
            c => c.ApplyPaymentEvent(Build.Settled(secondInvoice, clock, eventId, Build.Unique("pay")), clock.GetUtcNow())));

        Assert.Equal(before, Snapshot.Of(await database.LoadAsync(second.Id)));
    }

    [Fact]
    public async Task The_database_refuses_a_second_row_for_a_processed_event_id()
    {
        var (contract, invoice, clock) = await InvoicedAsync();
        var eventId = Build.Unique("evt");
        await database.ActAsync(contract.Id, c => c.ApplyPaymentEvent(Build.Settled(invoice, clock, eventId, Build.Unique("pay")), clock.GetUtcNow()));

        await using var db = database.NewContext();
        var insert = $"INSERT INTO {database.Table("ProcessedEvents")} (\"EventId\", \"ContractId\", \"Kind\", \"ProcessedAt\") VALUES ({{0}}, {{1}}, {{2}}, {{3}})";
        var error = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync(
            insert, eventId, contract.Id, nameof(InboundEventKind.InvoiceSettled), database.Moment(clock.GetUtcNow())));

        Assert.True(SaveErrors.IsUniqueViolation(error, db), error.Message);
    }

    [Fact]
    public async Task Two_approvals_of_one_milestone_queue_one_payout()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        await database.AddAsync(contract);

        await using var first = database.NewStore();
        await using var second = database.NewStore();
        var a = (await first.FindAsync(contract.Id, CancellationToken.None))!;
        var b = (await second.FindAsync(contract.Id, CancellationToken.None))!;
        a.Approve(a.Milestones[0].Id, clock.GetUtcNow());
        b.Approve(b.Milestones[0].Id, clock.GetUtcNow());
        await first.SaveAsync(a, CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => second.SaveAsync(b, CancellationToken.None));

        Assert.Single((await database.LoadAsync(contract.Id)).Payouts);
    }

    [Fact]
    public async Task The_database_refuses_a_second_outbox_row_with_the_same_key()
    {
        var clock = Build.Clock();
        var contract = Build.Funded(clock);
        contract.SubmitDeliverable(contract.Milestones[0].Id, "Done", [], [], clock.GetUtcNow());
        contract.Approve(contract.Milestones[0].Id, clock.GetUtcNow());
        await database.AddAsync(contract);
        var other = Build.Draft(clock);
        await database.AddAsync(other);
        var original = contract.Payouts.Single();

        // Bypass the domain (which refuses a duplicate key itself) to show the database holds the line on its own.
        await using var db = database.NewContext();
        db.Add(new PayoutInstruction(other.Id, original.Key, null, PayoutKind.Release, PartyRole.Freelancer,
            original.Amount, original.PayoutAmount, "duplicate", null, clock.GetUtcNow()));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.True(SaveErrors.IsUniqueViolation(error.InnerException, db), error.InnerException?.Message);
        await using var check = database.NewContext();
        Assert.Equal(1, await check.PayoutInstructions.CountAsync(p => p.Key == original.Key));
    }

    private async Task<(Contract Contract, FundingInvoice Invoice, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock)> InvoicedAsync()
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock);
        Build.Activate(contract, clock);
        var invoice = Build.Invoice(contract, clock, Build.Unique("inv"), 1, 2);
        await database.AddAsync(contract);
        Assert.Equal(Money.Of(300.50m, "USD"), invoice.Amount);
        return (contract, invoice, clock);
    }
}
