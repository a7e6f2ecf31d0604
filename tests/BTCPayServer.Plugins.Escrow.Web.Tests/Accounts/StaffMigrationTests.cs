using BTCPayServer.Plugins.Escrow.Host.Accounts;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

/// <summary>The accounts' migrations say what the model says, for each provider (a model change needs a migration of each).</summary>
public sealed class StaffMigrationTests
{
    [Fact]
    public void The_sqlite_migrations_match_the_model()
    {
        using var context = new SqliteStaffDesignTimeFactory().CreateDbContext([]);
        Assert.False(context.Database.HasPendingModelChanges());
        Assert.NotEmpty(context.Database.GetMigrations());
    }

    [Fact]
    public void The_postgres_migrations_match_the_model_and_keep_to_their_own_schema()
    {
        using var context = new PostgresStaffDesignTimeFactory().CreateDbContext([]);
        Assert.False(context.Database.HasPendingModelChanges());
        Assert.All(context.Model.GetEntityTypes(), e => Assert.Equal(PostgresStaffIdentityDbContext.Schema, e.GetSchema()));
    }
}
