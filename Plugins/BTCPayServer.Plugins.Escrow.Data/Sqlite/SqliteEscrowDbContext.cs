using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>
/// The model on SQLite, the standalone host's embedded database. SQLite has no schemas and no row version, so the
/// contract's <see cref="Contract.Revision"/> is the concurrency token; and SQLite cannot compare or order EF's default
/// text form of <see cref="DateTimeOffset"/>, so times are stored as UTC ticks (the due-timer and outbox queries need it).
/// </summary>
public sealed class SqliteEscrowDbContext(DbContextOptions<SqliteEscrowDbContext> options) : EscrowDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Contract>().Property(c => c.Revision).IsConcurrencyToken();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }
}
