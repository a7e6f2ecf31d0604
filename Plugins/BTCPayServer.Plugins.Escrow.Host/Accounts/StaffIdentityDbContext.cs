using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// The host's staff accounts (ASP.NET Core Identity). Kept apart from the escrow's model, which is also the BTCPay
/// plugin's: its own SQLite file, or its own schema in the PostgreSQL database, each with its own migrations.
/// </summary>
public abstract class StaffIdentityDbContext(DbContextOptions options) : IdentityDbContext<StaffUser>(options);

public sealed class SqliteStaffIdentityDbContext(DbContextOptions<SqliteStaffIdentityDbContext> options) : StaffIdentityDbContext(options)
{
    public static string ConnectionString(string dataDir) => $"Data Source={Path.Combine(dataDir, "staff.db")}";
}

public sealed class PostgresStaffIdentityDbContext(DbContextOptions<PostgresStaffIdentityDbContext> options) : StaffIdentityDbContext(options)
{
    /// <summary>Next to the escrow's own schema, as the host's tables and never the plugin's.</summary>
    public const string Schema = "BTCPayServer.Plugins.Escrow.Host";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.HasDefaultSchema(Schema);
        base.OnModelCreating(builder);
    }
}

/// <summary>For dotnet ef (migrations add): the models only, no database is opened.</summary>
public sealed class SqliteStaffDesignTimeFactory : IDesignTimeDbContextFactory<SqliteStaffIdentityDbContext>
{
    public SqliteStaffIdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteStaffIdentityDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresStaffDesignTimeFactory : IDesignTimeDbContextFactory<PostgresStaffIdentityDbContext>
{
    public PostgresStaffIdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresStaffIdentityDbContext>()
            .UseNpgsql("Host=localhost", o => o.MigrationsHistoryTable("__EFMigrationsHistory", PostgresStaffIdentityDbContext.Schema)).Options);
}
