using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>The migrations build exactly the model the code uses, and applying them again (every host start) is a no-op.</summary>
public abstract class MigrationTests(StoreDatabase database)
{
    [Fact]
    public async Task Every_migration_is_applied_and_the_model_has_no_changes_without_a_migration()
    {
        await using var db = database.NewContext();

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed: add a migration for this provider (see the Migrations folder).");
    }

    [Fact]
    public async Task Migrating_an_up_to_date_database_changes_nothing()
    {
        await using var db = database.NewContext();
        var before = await db.Database.GetAppliedMigrationsAsync();

        await EscrowDatabase.MigrateAsync(db);

        Assert.Equal(before, await db.Database.GetAppliedMigrationsAsync());
    }
}
