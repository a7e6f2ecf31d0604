using BTCPayServer.Plugins.Escrow.Host.Accounts;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Accounts;

/// <summary>
/// The standalone host's own contexts (staff accounts on each provider, the sandbox, the sandbox chain) run on compiled
/// models, so start-up does not build their models (issue 16). A mapping change without regenerating its compiled model
/// (`dotnet ef dbcontext optimize`, commands in the Data project's Migrations README) fails here.
/// </summary>
public sealed class HostCompiledModelTests
{
    [Fact]
    public void The_sqlite_staff_context_runs_on_its_compiled_model_as_mapped_now()
    {
        using var context = new SqliteStaffDesignTimeFactory().CreateDbContext([]);
        AssertCompiledAsMapped(context, "BTCPayServer.Plugins.Escrow.Host.Accounts.CompiledModels.Sqlite.");
    }

    [Fact]
    public void The_postgres_staff_context_runs_on_its_compiled_model_as_mapped_now()
    {
        using var context = new PostgresStaffDesignTimeFactory().CreateDbContext([]);
        AssertCompiledAsMapped(context, "BTCPayServer.Plugins.Escrow.Host.Accounts.CompiledModels.Postgres.");
    }

    [Fact]
    public void The_sandbox_context_runs_on_its_compiled_model_as_mapped_now()
    {
        using var context = new SandboxDbContext(new DbContextOptionsBuilder<SandboxDbContext>().UseSqlite("Data Source=:memory:").Options);
        AssertCompiledAsMapped(context, "BTCPayServer.Plugins.Escrow.Host.Sandbox.CompiledModel.");
    }

    [Fact]
    public void The_sandbox_chain_context_runs_on_its_compiled_model_as_mapped_now()
    {
        using var context = new SandboxWalletDbContext(new DbContextOptionsBuilder<SandboxWalletDbContext>().UseSqlite("Data Source=:memory:").Options);
        AssertCompiledAsMapped(context, "BTCPayServer.Plugins.Escrow.Host.Sandbox.Wallet.CompiledModel.");
    }

    private static void AssertCompiledAsMapped(DbContext context, string compiledNamespace)
    {
        var mapped = context.GetService<IDesignTimeModel>().Model;
        Assert.StartsWith(compiledNamespace, context.Model.GetType().FullName);
        Assert.Equal(Describe(mapped), Describe(context.Model));
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
