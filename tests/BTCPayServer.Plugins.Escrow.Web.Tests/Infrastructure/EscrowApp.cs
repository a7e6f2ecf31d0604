using System.Collections.Concurrent;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// The standalone host in memory (WebApplicationFactory over Program), with its own data folder, a configured
/// administrator and a fast worker. Storage is the host's real SQLite file, or a database of its own on the local
/// PostgreSQL server for <see cref="PostgresEscrowApp"/>.
/// </summary>
public class EscrowApp : IAsyncLifetime
{
    public const string StoreId = "default";
    public const string OtherStoreId = "other-store";
    public const string AdminEmail = "admin@escrow.test";
    public const string AdminPassword = "correct horse battery staple";

    private readonly string _dataDir;
    private readonly bool _keepData;
    private HostFactory? _factory;

    public EscrowApp()
        : this(Path.Combine(Path.GetTempPath(), "escrow-web-tests", Guid.NewGuid().ToString("N")), keepData: false)
    {
    }

    /// <summary>A host on a given data folder, kept after it stops when <paramref name="keepData"/> (to start another host on it: a restart).</summary>
    protected EscrowApp(string dataDir, bool keepData)
    {
        _dataDir = dataDir;
        _keepData = keepData;
    }

    /// <summary>Errors and warnings the host logged (unhandled exceptions, failed worker passes).</summary>
    public ConcurrentQueue<string> LoggedErrors { get; } = new();

    /// <summary>Everything the host logged at Information or above (the escrow's own lines included).</summary>
    public ConcurrentQueue<string> Logged { get; } = new();

    /// <summary>Every line the host logged, at whatever level its configuration lets through.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>Every request the escrow sent to its payment gateway, and what came back, as JSON.</summary>
    public ConcurrentQueue<string> GatewayRequests { get; } = new();

    protected virtual string? PostgresConnection => null;

    /// <summary>The address links are built from (Escrow:PublicUrl), as the host is configured in these tests.</summary>
    public const string PublicUrl = "http://localhost";

    /// <summary>More settings for a variant of the host (applied after the common ones).</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    public string DataDir => _dataDir;

    /// <summary>What a fixture changes in the host's services, after the host registered its own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public IServiceProvider Services => Factory.Services;

    public virtual async Task InitializeAsync()
    {
        _factory = new HostFactory(this);
        // Start now and wait for the host's start-up work (migrations, reconciliation): requests wait for it by themselves,
        // but tests that use the host's services directly would otherwise race the migrations ("no such column").
        await _factory.Services.GetRequiredService<Host.StartupGate>().Ready;
    }

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_keepData)
            return;
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine: the temp folder is cleaned by the OS later.
        }
    }

    /// <summary>A browser of its own: own cookies, own client address (so rate limits never mix tests).</summary>
    public Browser NewBrowser(System.Net.IPAddress? address = null) =>
        new(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), address);

    /// <summary>A browser signed in as the administrator of <see cref="StoreId"/>.</summary>
    public async Task<Browser> StaffAsync()
    {
        var browser = NewBrowser();
        await browser.SignInAsync(AdminEmail, AdminPassword);
        return browser;
    }

    /// <summary>
    /// A browser signed in as a staff member with only the permissions given (created on first use, password
    /// <see cref="AdminPassword"/>), as an administrator would set them on the Staff page.
    /// </summary>
    public async Task<Browser> StaffMemberAsync(string email, bool manageContracts, bool arbitrateDisputes)
    {
        await CreateStaffAsync(email, manageContracts, arbitrateDisputes);
        var browser = NewBrowser();
        await browser.SignInAsync(email, AdminPassword);
        return browser;
    }

    /// <summary>A staff account with the password <see cref="AdminPassword"/>, unless one exists for the email.</summary>
    public async Task CreateStaffAsync(string email, bool manageContracts = true, bool arbitrateDisputes = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Host.Accounts.StaffUser>>();
        if (await users.FindByEmailAsync(email) is not null)
            return;
        var user = new Host.Accounts.StaffUser { UserName = email, Email = email, EmailConfirmed = true, MayManageContracts = manageContracts, MayArbitrateDisputes = arbitrateDisputes };
        var created = await users.CreateAsync(user, AdminPassword);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    public async Task<Contract?> LoadAsync(Guid contractId)
    {
        await using var store = Services.GetRequiredService<IContractStoreFactory>().Open();
        return await store.FindAsync(contractId, CancellationToken.None);
    }

    /// <summary>The contract a party token opens, as storage finds it (any state of the link).</summary>
    public async Task<Contract?> FindByTokenAsync(string token)
    {
        await using var store = Services.GetRequiredService<IContractStoreFactory>().Open();
        return await store.FindByPartyTokenHashAsync(Core.Access.CapabilityToken.HashOf(token), CancellationToken.None);
    }

    public async Task<Contract> ContractAsync(Guid contractId) => await LoadAsync(contractId) ?? throw new InvalidOperationException($"No contract {contractId}.");

    public async Task<int> CountContractsAsync(string storeId = StoreId) =>
        (await Services.GetRequiredService<IContractQueries>().ListContractsAsync(new ContractListQuery(storeId), CancellationToken.None)).TotalCount;

    /// <summary>Everything a refused act must leave as it was: any save bumps the revision and the audit chain.</summary>
    public async Task<string> SnapshotAsync(Guid contractId)
    {
        var c = await ContractAsync(contractId);
        var milestones = string.Join(";", c.Milestones.OrderBy(m => m.Number).Select(m => $"{m.Id}:{m.State}:{m.Amount}:{m.Funded}:{m.DueDate}:{m.Title}"));
        var access = string.Join(";", c.PartyAccess.OrderBy(a => a.Role).ThenBy(a => a.TokenHash).Select(a => $"{a.Role}:{a.TokenHash}:{a.ExpiresAt}:{a.RevokedAt}"));
        var disputes = string.Join(";", c.Disputes.Select(d => $"{d.Id}:{d.Status}:{d.Proposals.Count}:{d.Messages.Count}"));
        return $"{c.State}|rev {c.Revision}|audit {c.AuditCount} {c.AuditHeadHash}|terms {c.LatestTermsVersion?.Hash} {c.EffectiveTermsVersion}|{c.Title}|{c.Client}|{c.Freelancer}|{c.Currency}|{c.Fee}|{c.ReviewWindow}|{milestones}|{access}|{disputes}|payouts {c.Payouts.Count}|invoices {c.Invoices.Count}";
    }

    private sealed class HostFactory(EscrowApp app) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Production: the host's own error handler answers, as it would for a real visitor.
            builder.UseEnvironment("Production");
            // UseSetting reaches the configuration Program reads before it builds the app.
            builder.UseSetting("Escrow:DataDir", app._dataDir);
            builder.UseSetting("Escrow:AdminEmail", AdminEmail);
            builder.UseSetting("Escrow:AdminPassword", AdminPassword);
            builder.UseSetting("Escrow:StoreId", StoreId);
            builder.UseSetting("Escrow:WorkerIntervalSeconds", "0.2");
            builder.UseSetting("Escrow:PublicUrl", PublicUrl);
            if (app.PostgresConnection is { } postgres)
                builder.UseSetting("Escrow:Postgres", postgres);
            builder.ConfigureServices(services =>
            {
                services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>();
                services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(app.LoggedErrors));
                services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(app.Logged, LogLevel.Information));
                services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(app.LogLines, LogLevel.Trace));
                RecordingGateway.Wrap(services, app.GatewayRequests);
                app.ConfigureServices(services);
            });
            app.Configure(builder);
        }
    }
}

/// <summary>The same host on PostgreSQL: a database of its own, created for the run and dropped after it.</summary>
public sealed class PostgresEscrowApp : EscrowApp
{
    private readonly PostgresTestDatabase _database = new();

    protected override string? PostgresConnection => _database.ConnectionStringOrNull;

    /// <summary>The connection string of this run's own database.</summary>
    public string ConnectionString => _database.ConnectionString;

    public override async Task InitializeAsync()
    {
        await _database.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}

/// <summary>A database of its own on the local PostgreSQL server (ESCROW_TEST_POSTGRES), for one host of the tests.</summary>
public sealed class PostgresTestDatabase
{
    public const string ConnectionVariable = "ESCROW_TEST_POSTGRES";
    private const string DefaultConnection = "Host=127.0.0.1;Port=5432;Username=escrow;Password=escrow;Database=postgres";

    private readonly string _server = Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured ? configured : DefaultConnection;
    private readonly string _name = $"escrow_web_test_{Guid.NewGuid():N}";

    /// <summary>Null until created.</summary>
    public string? ConnectionStringOrNull { get; private set; }

    public string ConnectionString => ConnectionStringOrNull ?? throw new InvalidOperationException("Not started.");

    public async Task CreateAsync()
    {
        try
        {
            await using var server = new NpgsqlConnection(_server);
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", server);
            await create.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL web tests need a server: set {ConnectionVariable} or start one with a login role escrow/escrow allowed to create databases. {e.Message}", e);
        }
        ConnectionStringOrNull = new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(_server);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
