using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using Microsoft.EntityFrameworkCore;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The host's one sandbox chain, kept across restarts: Core's <see cref="SandboxChain"/> stays the validator, and every
/// change it makes is first written to <see cref="SandboxWalletDbContext.ChainRecords"/>; at start-up the records are
/// replayed in order (<see cref="LoadAsync"/>). Shared by requests and workers as a singleton.
/// </summary>
public sealed class SandboxChainStore(IDbContextFactory<SandboxWalletDbContext> db, SandboxNetwork network, TimeProvider clock, ILogger<SandboxChainStore> logger)
    : ISandboxChainJournal
{
    private SandboxChain? _chain;

    public Network Network => network.Network;

    /// <summary>The chain, once <see cref="LoadAsync"/> has run (the start-up gate runs it before any request or worker).</summary>
    public SandboxChain Chain => Volatile.Read(ref _chain) ?? throw new InvalidOperationException("The sandbox chain is not loaded yet (start-up has not finished).");

    public async Task LoadAsync(CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        await ctx.Database.EnsureCreatedAsync(ct);
        var records = await ctx.ChainRecords.AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct);
        SandboxChain chain;
        try
        {
            chain = SandboxChain.Replay(Network, records.Select(ToEntry), journal: this);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidOperationException(
                $"The sandbox chain cannot be rebuilt from {ctx.Database.GetDbConnection().DataSource}: {e.Message} "
                + "Delete that file to start a new sandbox chain (its coins are not real; the sandbox signer's keys go with it).", e);
        }
        Volatile.Write(ref _chain, chain);
        logger.LogInformation("Sandbox chain ({Network}): {Records} change(s) replayed, height {Height}", network.Name, records.Count, chain.Height);
    }

    /// <summary>
    /// Called by the chain under its lock, before it changes: the write is synchronous because the chain's lock is, and
    /// a failed write must leave the chain as it was. One small SQLite insert per change; a sandbox's load.
    /// </summary>
    public void Append(SandboxChainEntry entry)
    {
        using var ctx = db.CreateDbContext();
        ctx.ChainRecords.Add(new SandboxChainRecord
        {
            Change = entry.Change,
            TransactionHex = entry.Transaction?.ToHex(),
            TxId = entry.Transaction?.GetHash().ToString(),
            Blocks = entry.Blocks,
            RecordedAt = clock.GetUtcNow().UtcDateTime,
        });
        ctx.SaveChanges();
    }

    /// <summary>The latest transactions the chain took (faucet payments and broadcasts), newest first; not the records of drops.</summary>
    public async Task<IReadOnlyList<SandboxChainRecord>> RecentTransactionsAsync(int count, CancellationToken ct)
    {
        await using var ctx = await db.CreateDbContextAsync(ct);
        return await ctx.ChainRecords.AsNoTracking()
            .Where(r => r.TransactionHex != null && (r.Change == SandboxChainChange.Funded || r.Change == SandboxChainChange.Accepted))
            .OrderByDescending(r => r.Id).Take(count).ToListAsync(ct);
    }

    private SandboxChainEntry ToEntry(SandboxChainRecord record) => new(
        record.Change,
        record.TransactionHex is null ? null : Transaction.Parse(record.TransactionHex, Network),
        record.Blocks);
}
