using System.Collections.Concurrent;
using BTCPayServer.Plugins.Escrow.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>Entry point for hosts: create a context for a connection string and bring its schema up to date.</summary>
public static class EscrowDatabase
{
    /// <summary>The plugin's own PostgreSQL schema, as BTCPay plugins keep their tables apart from BTCPay's.</summary>
    public const string Schema = "BTCPayServer.Plugins.Escrow";
    public const string MigrationsHistoryTable = "__EFMigrationsHistory";

    // Options are immutable and shared: a unit of work creates a context, not a new set of options (building them,
    // connection string parsing included, was a measurable part of each payment event).
    private static readonly ConcurrentDictionary<(string, ILoggerFactory?), DbContextOptions<PostgresEscrowDbContext>> PostgresOptions = new();

    /// <param name="loggerFactory">The host's logging, so EF's warnings (and, when enabled, its commands) are seen.</param>
    public static PostgresEscrowDbContext CreatePostgres(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(PostgresOptions.GetOrAdd((connectionString, loggerFactory), key =>
            WithLogging(UsePostgres(new DbContextOptionsBuilder<PostgresEscrowDbContext>(), key.Item1), key.Item2).Options));

    /// <summary>Options every provider's contexts share: the host's logging, and no design-time model check when migrating.</summary>
    public static DbContextOptionsBuilder<T> WithLogging<T>(DbContextOptionsBuilder<T> builder, ILoggerFactory? loggerFactory) where T : DbContext
    {
        // Migrating checks the model against the migrations by building the whole design-time model (most of a second
        // at start-up). The Data tests make the same check on every build (MigrationTests), so production skips it.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return loggerFactory is null ? builder : builder.UseLoggerFactory(loggerFactory);
    }

    /// <summary>Configures a builder (e.g. one from BTCPay's plugin context factory) for the PostgreSQL model.</summary>
    public static DbContextOptionsBuilder<PostgresEscrowDbContext> UsePostgres(DbContextOptionsBuilder<PostgresEscrowDbContext> builder, string connectionString) =>
        builder.UseNpgsql(WithPoolDefaults(connectionString), ConfigurePostgres);

    /// <summary>
    /// The escrow's own connection pool, as the standalone host and the benchmark run it (inside BTCPay the plugin uses
    /// BTCPay's connection string as it is). Whatever the connection string says wins over both settings:
    /// <list type="bullet">
    /// <item>statements are prepared (Npgsql's automatic preparing, 64 per connection): loading a contract runs the same
    /// few statements every time, and preparing them saves their parsing and planning on each event;</item>
    /// <item>a connection returned to the pool is not reset (<c>No Reset On Close</c>). With prepared statements Npgsql's
    /// reset is seven statements (<c>RESET ALL</c>, <c>CLOSE ALL</c>, <c>UNLISTEN *</c>, advisory locks, ...) sent
    /// before the next command, parsed and run on each connection's every use: a payment event uses two, and the reset
    /// was more statements than the event's own work (measured: 0.85 against 0.69 ms of PostgreSQL CPU per event, 0.68
    /// against 0.58 in the process). The escrow keeps no session state that a reset would clear: it never sets a session
    /// parameter, listens, takes an advisory lock or creates a temporary table (checked by a test that runs its whole
    /// life cycle on one pooled connection), and Npgsql still rolls back a transaction left open.</item>
    /// </list>
    /// </summary>
    public static string WithPoolDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        // The keys the string itself gives (Npgsql takes them with or without spaces, in any case), not its values.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "").ToLowerInvariant()).ToHashSet();
        if (!given.Contains("maxautoprepare"))
            builder.MaxAutoPrepare = 64;
        if (!given.Contains("noresetonclose"))
            builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    /// <summary>Provider options of the PostgreSQL model: the migration history lives in the plugin's schema too.</summary>
    public static void ConfigurePostgres(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(MigrationsHistoryTable, Schema);

    /// <summary>Applies every migration of the context's provider that the database does not have yet.</summary>
    public static Task MigrateAsync(EscrowDbContext context, CancellationToken cancellationToken = default) =>
        context.Database.MigrateAsync(cancellationToken);
}
