using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>Entry point for hosts that keep the escrow in SQLite (the standalone host): contexts for a connection string.</summary>
public static class SqliteEscrowDatabase
{
    // Options are immutable and shared, as for PostgreSQL (see EscrowDatabase).
    private static readonly ConcurrentDictionary<(string, ILoggerFactory?), DbContextOptions<SqliteEscrowDbContext>> Options = new();

    /// <param name="loggerFactory">The host's logging, so EF's warnings (and, when enabled, its commands) are seen.</param>
    public static SqliteEscrowDbContext Create(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(Options.GetOrAdd((connectionString, loggerFactory), key =>
            EscrowDatabase.WithLogging(Use(new DbContextOptionsBuilder<SqliteEscrowDbContext>(), key.Item1), key.Item2).Options));

    public static DbContextOptionsBuilder<SqliteEscrowDbContext> Use(DbContextOptionsBuilder<SqliteEscrowDbContext> builder, string connectionString) =>
        builder.UseSqlite(connectionString);
}
