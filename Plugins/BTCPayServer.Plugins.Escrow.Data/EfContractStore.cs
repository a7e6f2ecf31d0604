using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using BTCPayServer.Plugins.Escrow.Data.Postgres;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// One unit of work over one context: find a contract, act on it, save it with the same store. A save writes the
/// contract row, every changed child (outbox rows and processed event ids included) and the new audit entries in one
/// transaction. The store owns the context and disposes it with itself.
/// </summary>
/// <remarks>
/// On PostgreSQL, contracts are loaded and saved by hand (<see cref="PostgresContractRows"/>: the same rows, one round
/// trip per load, one batch per save, without EF's change tracking); SQLite, and every other query here, go through EF.
/// </remarks>
public sealed class EfContractStore : IContractStore, IAuditLog
{
    private readonly EscrowDbContext _db;
    private readonly ContractKeys _keys = new();
    private readonly PostgresContractRows? _rows;

    public EfContractStore(EscrowDbContext db) : this(db, byHand: db is PostgresEscrowDbContext)
    {
    }

    /// <param name="byHand">Whether contracts are loaded and saved by hand (PostgreSQL only); false: through EF's change tracking.</param>
    internal EfContractStore(EscrowDbContext db, bool byHand)
    {
        _db = db;
        if (byHand && db is not PostgresEscrowDbContext)
            throw new ArgumentException("Contracts are loaded and saved by hand on PostgreSQL only.", nameof(byHand));
        _rows = byHand ? new PostgresContractRows(db, _keys) : null;
    }

    public Task<Contract?> FindAsync(Guid contractId, CancellationToken cancellationToken) => _rows is not null
        ? LoadOneAsync(_rows.ById(contractId), cancellationToken)
        : LoadOneAsync(_db.Contracts.Where(c => c.Id == contractId), cancellationToken);

    public Task<Contract?> FindInStoreAsync(string storeId, Guid contractId, CancellationToken cancellationToken) => _rows is not null
        ? LoadOneAsync(_rows.InStore(storeId, contractId), cancellationToken)
        : LoadOneAsync(_db.Contracts.Where(c => c.Id == contractId && c.StoreId == storeId), cancellationToken);

    // The owner is found inside the load's own statements (a subquery on the child table's unique key), not by a
    // separate lookup first.
    public Task<Contract?> FindByInvoiceAsync(string invoiceId, CancellationToken cancellationToken) => _rows is not null
        ? LoadOneAsync(_rows.ByInvoice(invoiceId), cancellationToken)
        : LoadOneAsync(_db.Contracts.Where(c => _db.FundingInvoices.Any(i => i.InvoiceId == invoiceId && i.ContractId == c.Id)), cancellationToken);

    public async Task<Contract?> FindByPullPaymentAsync(string pullPaymentId, CancellationToken cancellationToken) =>
        (_rows is not null
            ? await LoadAsync(_rows.ByPullPayment(pullPaymentId), cancellationToken)
            : await LoadAsync(_db.Contracts.Where(c => _db.PayoutInstructions.Any(p => p.PullPaymentId == pullPaymentId && p.ContractId == c.Id)), cancellationToken))
        .MinBy(c => c.Id);

    public async Task<Contract?> FindByPartyTokenHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        // The key table says which contract the hash belongs to; whether the link is still valid is in the contract's list.
        var contract = _rows is not null
            ? await LoadOneAsync(_rows.ByPartyTokenHash(tokenHash), cancellationToken)
            : await LoadOneAsync(_db.Contracts.Where(c => _db.PartyTokens.Any(t => t.TokenHash == tokenHash && t.ContractId == c.Id)), cancellationToken);
        return contract is not null && contract.PartyAccess.Any(a => a.TokenHash == tokenHash && a.RevokedAt == null) ? contract : null;
    }

    public async Task<IReadOnlyList<Contract>> FindByGatewayIdsAsync(
        IReadOnlyCollection<string> invoiceIds, IReadOnlyCollection<string> pullPaymentIds, CancellationToken cancellationToken)
    {
        // Every owner's graph in one load (the owners found by subqueries): a batch of events costs the round trips of
        // one contract, not of one contract per event.
        var invoices = invoiceIds.Distinct().ToList();
        var pullPayments = pullPaymentIds.Distinct().ToList();
        if (invoices.Count == 0 && pullPayments.Count == 0)
            return [];
        if (_rows is not null)
            return await LoadAsync(_rows.ByGatewayIds(invoices, pullPayments), cancellationToken);
        // The owners as one id set (IN over the keys' indexes), not "EXISTS ... OR EXISTS ...": PostgreSQL cannot
        // answer an OR of two correlated subqueries from the indexes and scanned every contract row for each batch
        // (measured: ~1 ms of server CPU per statement at 5,000 contracts, growing with the table).
        var byInvoice = _db.FundingInvoices.Where(i => invoices.Contains(i.InvoiceId)).Select(i => i.ContractId);
        var byPullPayment = _db.PayoutInstructions.Where(p => p.PullPaymentId != null && pullPayments.Contains(p.PullPaymentId)).Select(p => p.ContractId);
        var owners = pullPayments.Count == 0 ? byInvoice : invoices.Count == 0 ? byPullPayment : byInvoice.Union(byPullPayment);
        return await LoadAsync(_db.Contracts.Where(c => owners.Contains(c.Id)), cancellationToken);
    }

    public Task AddAsync(Contract contract, CancellationToken cancellationToken) => AddManyAsync([contract], cancellationToken);

    /// <summary>Adds many new contracts in one transaction (imports, benchmark seeding); each is written as AddAsync writes one.</summary>
    public async Task AddManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
    {
        if (_rows is null)
            _db.Contracts.AddRange(contracts);
        await WriteAsync(contracts, adding: true, cancellationToken);
    }

    public Task SaveAsync(Contract contract, CancellationToken cancellationToken) => SaveManyAsync([contract], cancellationToken);

    public async Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
    {
        if (_rows is not null)
        {
            if (!contracts.All(_rows.Knows))
                throw new InvalidOperationException(NotLoadedHere);
            await WriteAsync(contracts, adding: false, cancellationToken);
            return;
        }
        // Asked without detecting changes: with automatic detection on, Entry scans the contract (its JSON lists
        // included) for changes first, and the save below does that once anyway.
        _db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            if (contracts.Any(c => _db.Entry(c).State == EntityState.Detached))
                throw new InvalidOperationException(NotLoadedHere);
        }
        finally
        {
            _db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
        await WriteAsync(contracts, adding: false, cancellationToken);
    }

    private const string NotLoadedHere = "Save a contract with the store that loaded it; add a new one with AddAsync.";

    public async Task<IReadOnlyList<Guid>> FindDueForTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await DueForTimers(now.ToUniversalTime(), max).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<Guid>> FindWithDuePayoutsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await WithDuePayouts(now.ToUniversalTime(), max).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid contractId, CancellationToken cancellationToken) =>
        await _db.AuditEntries.AsNoTracking()
            .Where(e => e.ContractId == contractId)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellationToken);

    public async Task<RecordedAuditHead?> ReadRecordedHeadAsync(Guid contractId, CancellationToken cancellationToken) =>
        await _db.Contracts.AsNoTracking()
            .Where(c => c.Id == contractId)
            .Select(c => new RecordedAuditHead(c.AuditCount, c.AuditHeadHash))
            .FirstOrDefaultAsync(cancellationToken);

    public async Task RecordAuditProblemAsync(Guid contractId, string problem, CancellationToken cancellationToken) =>
        // One statement on the row's own column: the contract as loaded (and any act on it) is not saved with it.
        await _db.Contracts.Where(c => c.Id == contractId && c.AuditProblem == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AuditProblem, problem), cancellationToken);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    // "now" is made UTC first: the domain stores UTC only, and PostgreSQL's timestamptz parameters accept nothing else.
    private IQueryable<Guid> DueForTimers(DateTimeOffset now, int max) =>
        _db.Contracts
            .Where(c => c.NextTimerAt != null && c.NextTimerAt <= now && c.AuditProblem == null)
            .OrderBy(c => c.NextTimerAt).ThenBy(c => c.Id)
            .Select(c => c.Id)
            .Take(max);

    private IQueryable<Guid> WithDuePayouts(DateTimeOffset now, int max) =>
        _db.PayoutInstructions
            .Where(p => p.Status == PayoutStatus.Queued && p.NextAttemptAt <= now)
            .Where(p => _db.Contracts.Any(c => c.Id == p.ContractId && c.AuditProblem == null))
            .GroupBy(p => p.ContractId)
            .Select(g => new { ContractId = g.Key, Due = g.Min(p => p.NextAttemptAt) })
            .OrderBy(x => x.Due).ThenBy(x => x.ContractId)
            .Select(x => x.ContractId)
            .Take(max);

    private async Task WriteAsync(IReadOnlyCollection<Contract> contracts, bool adding, CancellationToken cancellationToken)
    {
        // A new revision on every save: the contract row always changes, so its row version always changes, and two
        // writers of the same contract always conflict even when they touched only child rows.
        foreach (var contract in contracts)
            contract.PrepareSave();
        if (_rows is not null)
            await _rows.SaveAsync(contracts, adding, cancellationToken);
        else
            await WriteTrackedAsync(contracts, cancellationToken);
        foreach (var contract in contracts)
        {
            contract.MarkSaved();
            _keys.Remember(contract);
        }
    }

    private async Task WriteTrackedAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
    {
        // The graph is scanned for changes once, here: new children are only discovered through the lists, so each
        // gets a tracked entry. Everything after goes through EF's own API (property values, Add), so automatic
        // detection stays off until the save is done: with it on, each Entry call below (the summary's on the
        // contract, the positions' on each child) and SaveChanges itself scan that entity again, the contract's JSON
        // lists included (measured on the payment-event path: change detection went from 11.5 % to 5.9 % of the
        // process's CPU samples).
        _db.ChangeTracker.DetectChanges();
        _db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var contract in contracts)
            {
                ContractGraph.StorePositions(_db, contract);
                ContractSummary.Write(_db, contract);
                _keys.Write(_db, contract);
                // Audit entries are not a navigation of the contract; they are appended here, in the same transaction.
                _db.AuditEntries.AddRange(contract.UnsavedAuditEntries);
            }
            await _db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (SaveErrors.IsConflict(e, _db))
        {
            var conflicted = e.Entries.Select(entry => entry.Entity).OfType<Contract>().FirstOrDefault() ?? contracts.First();
            throw new ConcurrencyConflictException(conflicted.Id);
        }
        finally
        {
            _db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    /// <summary>
    /// The filter selects at most one contract (by a unique key), so the split query needs no row limit; a limit without
    /// an order would make EF repeat it, unordered, in every child query.
    /// </summary>
    private async Task<Contract?> LoadOneAsync(IQueryable<Contract> oneContract, CancellationToken cancellationToken) =>
        (await LoadAsync(oneContract, cancellationToken)).SingleOrDefault();

    private async Task<Contract?> LoadOneAsync(PostgresContractRows.Owners oneContract, CancellationToken cancellationToken) =>
        (await LoadAsync(oneContract, cancellationToken)).SingleOrDefault();

    private async Task<List<Contract>> LoadAsync(PostgresContractRows.Owners contracts, CancellationToken cancellationToken)
    {
        var loaded = await _rows!.LoadAsync(contracts, cancellationToken);
        foreach (var contract in loaded)
            _keys.Remember(contract);
        return loaded;
    }

    private async Task<List<Contract>> LoadAsync(IQueryable<Contract> contracts, CancellationToken cancellationToken)
    {
        var loaded = await ContractGraph.Whole(contracts).ToListAsync(cancellationToken);
        foreach (var contract in loaded)
            _keys.Remember(contract);
        return loaded;
    }
}
