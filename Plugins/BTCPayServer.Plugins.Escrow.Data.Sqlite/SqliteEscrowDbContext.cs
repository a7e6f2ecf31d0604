using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>
/// The model on SQLite, the standalone host's embedded database. SQLite has no schemas and no row version, so the
/// contract's <see cref="Contract.Revision"/> is the concurrency token; and SQLite cannot compare or order EF's default
/// text form of <see cref="DateTimeOffset"/>, so times are stored as UTC ticks (the due-timer and outbox queries need it).
/// </summary>
public sealed class SqliteEscrowDbContext(DbContextOptions<SqliteEscrowDbContext> options) : EscrowDbContext(options)
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>SQLite reports every constraint (an aborting trigger included) as error 19; the extended code says which.</summary>
    public override bool IsUniqueViolation(DbException error) =>
        error is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };

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
