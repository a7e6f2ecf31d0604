using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Data.Sqlite;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// BTCPay Server ships no SQLite, so nothing the plugin loads may need it: a reference to a SQLite type in the plugin's
/// assemblies fails at run time (inside an exception filter, silently turning a duplicate event into a failure).
/// </summary>
public sealed class PluginWithoutSqliteTests
{
    private const string PluginProject = "Plugins/BTCPayServer.Plugins.Escrow/BTCPayServer.Plugins.Escrow.csproj";

    [Fact]
    public void Nothing_the_plugin_project_references_directly_or_transitively_references_a_sqlite_package()
    {
        var root = RepositoryRoot();
        var projects = ProjectGraph(root, Path.Combine(root, PluginProject));
        Assert.Contains(projects, p => p.EndsWith("BTCPayServer.Plugins.Escrow.Data.csproj", StringComparison.Ordinal));
        Assert.Contains(projects, p => p.EndsWith("BTCPayServer.Plugins.Escrow.Web.csproj", StringComparison.Ordinal));

        var offending = new List<string>();
        foreach (var project in projects)
        {
            var xml = XDocument.Load(project);
            offending.AddRange(xml.Descendants("PackageReference").Select(r => (string?)r.Attribute("Include") ?? "")
                .Where(IsSqlite).Select(package => $"{Path.GetRelativePath(root, project)} references the package {package}"));
            offending.AddRange(xml.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? "")
                .Where(IsSqlite).Select(reference => $"{Path.GetRelativePath(root, project)} references the project {reference}"));
            // What NuGet resolved for it, transitive packages included (written by restore, which every build runs).
            var assets = Path.Combine(Path.GetDirectoryName(project)!, "obj", "project.assets.json");
            if (File.Exists(assets) && !project.EndsWith(PluginProject, StringComparison.Ordinal))
                offending.AddRange(System.Text.Json.JsonDocument.Parse(File.ReadAllText(assets)).RootElement.GetProperty("libraries")
                    .EnumerateObject().Select(library => library.Name).Where(IsSqlite)
                    .Select(library => $"{Path.GetRelativePath(root, project)} resolves {library}"));
        }
        // Settings every project inherits must not bring SQLite in either.
        foreach (var shared in new[] { "Directory.Build.props", "Directory.Packages.props" })
            offending.AddRange(XDocument.Load(Path.Combine(root, shared)).Descendants()
                .Where(e => e.Name.LocalName is "GlobalPackageReference" or "PackageReference" && IsSqlite((string?)e.Attribute("Include") ?? ""))
                .Select(e => $"{shared} adds {(string?)e.Attribute("Include")} to every project"));

        Assert.Empty(offending);
    }

    [Fact]
    public void The_storage_assemblies_the_plugin_ships_name_no_sqlite_assembly()
    {
        foreach (var assembly in new[] { typeof(EscrowDbContext).Assembly, typeof(EscrowException).Assembly })
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), reference => IsSqlite(reference.Name ?? ""));
    }

    [Fact]
    public async Task A_duplicate_event_on_postgresql_is_a_conflict_where_sqlite_cannot_be_loaded()
    {
        var context = new SqliteFreeLoadContext(AppContext.BaseDirectory);
        try
        {
            var tests = context.LoadFromAssemblyPath(typeof(PluginWithoutSqliteTests).Assembly.Location);
            var probe = tests.GetType(typeof(PostgresDuplicateProbe).FullName!)!;

            // The context really refuses SQLite: the same code that opens a SQLite store fails in it.
            var sqlite = Assert.Throws<TargetInvocationException>(() => probe.GetMethod(nameof(PostgresDuplicateProbe.OpenSqlite))!.Invoke(null, null));
            Assert.IsType<FileNotFoundException>(sqlite.InnerException);

            var outcome = await (Task<string>)probe.GetMethod(nameof(PostgresDuplicateProbe.ApplyOneEventToTwoContractsAsync))!.Invoke(null, null)!;

            Assert.Equal("conflict", outcome);
            Assert.Contains(context.Assemblies, a => a.GetName().Name == "BTCPayServer.Plugins.Escrow.Data");
            Assert.DoesNotContain(context.Assemblies, a => IsSqlite(a.GetName().Name ?? ""));
        }
        finally
        {
            context.Unload();
        }
    }

    private static bool IsSqlite(string name) => name.Contains("sqlite", StringComparison.OrdinalIgnoreCase);

    /// <summary>The project and every project it references, transitively (BTCPay's own projects, in the submodule, excepted).</summary>
    private static SortedSet<string> ProjectGraph(string root, string start)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(start)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
                continue;
            // Items only: an ItemDefinitionGroup's <ProjectReference> (defaults for every reference) names no project.
            foreach (var include in XDocument.Load(project).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")).OfType<string>())
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include.Replace('\\', '/')));
                if (!Path.GetRelativePath(root, path).StartsWith("submodules", StringComparison.Ordinal))
                    pending.Push(path);
            }
        }
        return seen;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BTCPayServer.Plugins.Escrow.sln")))
                return dir.FullName;
        throw new InvalidOperationException("The repository root (BTCPayServer.Plugins.Escrow.sln) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A load context like a BTCPay plugin's: the escrow's assemblies from this folder, everything else from the default
    /// context, and no SQLite at all (asking for it fails as it does inside BTCPay).
    /// </summary>
    private sealed class SqliteFreeLoadContext(string directory) : AssemblyLoadContext("escrow-without-sqlite", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            if (IsSqlite(name.Name ?? ""))
                throw new FileNotFoundException($"Could not load '{name.Name}': BTCPay Server ships no SQLite.", name.Name);
            return name.Name!.StartsWith("BTCPayServer.Plugins.Escrow", StringComparison.Ordinal)
                ? LoadFromAssemblyPath(Path.Combine(directory, name.Name + ".dll"))
                : null;
        }
    }
}

/// <summary>Runs inside <c>SqliteFreeLoadContext</c>; public so the test can call it there by reflection.</summary>
public static class PostgresDuplicateProbe
{
    public static void OpenSqlite() => SqliteEscrowDatabase.Create("Data Source=:memory:").Dispose();

    /// <summary>One payment event id applied to two contracts: only the unique key on the event id can catch it.</summary>
    public static async Task<string> ApplyOneEventToTwoContractsAsync()
    {
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            var clock = Build.Clock();
            var first = Build.Draft(clock);
            Build.Activate(first, clock);
            var firstInvoice = Build.Invoice(first, clock, Build.Unique("inv"), 1, 2);
            await database.AddAsync(first);
            var second = Build.Draft(clock);
            Build.Activate(second, clock);
            var secondInvoice = Build.Invoice(second, clock, Build.Unique("inv"), 1, 2);
            await database.AddAsync(second);
            var eventId = Build.Unique("evt");
            await database.ActAsync(first.Id, c => c.ApplyPaymentEvent(Build.Settled(firstInvoice, clock, eventId, Build.Unique("pay")), clock.GetUtcNow()));
            try
            {
                await database.ActAsync(second.Id, c => c.ApplyPaymentEvent(Build.Settled(secondInvoice, clock, eventId, Build.Unique("pay")), clock.GetUtcNow()));
                return "stored twice";
            }
            catch (ConcurrencyConflictException)
            {
                return "conflict";
            }
            catch (Exception e)
            {
                return e.ToString();
            }
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
