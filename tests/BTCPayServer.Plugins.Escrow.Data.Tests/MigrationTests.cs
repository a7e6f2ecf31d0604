using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

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

    [Fact]
    public async Task The_compiled_model_is_the_mapping_as_it_is_now()
    {
        // Hosts run on the compiled model (CompiledModels/, for start-up time); the mapping code is what migrations and
        // reviews see. A mapping change without `dotnet ef dbcontext optimize` (see the Migrations README) fails here.
        await using var db = database.NewContext();
        var mapped = db.GetService<IDesignTimeModel>().Model;

        Assert.StartsWith("BTCPayServer.Plugins.Escrow.Data.CompiledModels.", db.Model.GetType().FullName);
        Assert.Equal(Describe(mapped), Describe(db.Model));
    }

    private static List<string> Describe(IModel model) => model.GetEntityTypes().OrderBy(e => e.Name).SelectMany(e =>
        new[] { $"{e.Name}: table {e.GetSchema()}.{e.GetTableName()}, key ({Names(e.FindPrimaryKey()?.Properties)})" }
            .Concat(e.GetFlattenedProperties().Select(p =>
                $"{e.Name}.{p.DeclaringType.Name}.{p.Name}: {p.ClrType.Name} as {p.GetColumnName()} {p.GetColumnType()}, null {p.IsNullable}, max {p.GetMaxLength()}, precision {p.GetPrecision()}/{p.GetScale()}, concurrency {p.IsConcurrencyToken}, converter {p.GetValueConverter()?.GetType().Name}").Order())
            .Concat(e.GetIndexes().Select(i => $"{e.Name} index ({Names(i.Properties)}) unique {i.IsUnique} filter {i.GetFilter()}").Order())
            .Concat(e.GetForeignKeys().Select(f => $"{e.Name} foreign key ({Names(f.Properties)}) to {f.PrincipalEntityType.Name}, delete {f.DeleteBehavior}").Order())
            .Concat(e.GetNavigations().Select(n => $"{e.Name} navigation {n.Name} field {n.FieldInfo?.Name}").Order()))
        .ToList();

    private static string Names(IEnumerable<IReadOnlyProperty>? properties) => string.Join(", ", properties?.Select(p => p.Name) ?? []);
}
