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
        builder.UseNpgsql(WithAutoPrepare(connectionString), ConfigurePostgres);

    /// <summary>
    /// Loading a contract runs the same dozen statements every time; letting Npgsql prepare them saves their parsing and
    /// planning on each event (measured about a quarter of the load time). A connection string that says otherwise wins.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0 && !connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    /// <summary>Provider options of the PostgreSQL model: the migration history lives in the plugin's schema too.</summary>
    public static void ConfigurePostgres(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(MigrationsHistoryTable, Schema);

    /// <summary>Applies every migration of the context's provider that the database does not have yet.</summary>
    public static Task MigrateAsync(EscrowDbContext context, CancellationToken cancellationToken = default) =>
        context.Database.MigrateAsync(cancellationToken);
}
