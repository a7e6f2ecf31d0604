using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.Data.Sqlite;
using BTCPayServer.Plugins.Escrow.Host;
using BTCPayServer.Plugins.Escrow.Host.Accounts;
using BTCPayServer.Plugins.Escrow.Host.Api;
using BTCPayServer.Plugins.Escrow.Host.ApiKeys;
using BTCPayServer.Plugins.Escrow.Host.Faults;
using BTCPayServer.Plugins.Escrow.Host.Logging;
using BTCPayServer.Plugins.Escrow.Host.Mail;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Host.Workers;
using BTCPayServer.Plugins.Escrow.Web.Api;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

StartupTimings.Mark("Main entered (runtime started)");
var builder = WebApplication.CreateBuilder(args);
StartupTimings.Mark("WebApplication.CreateBuilder");
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
// Party links carry their secret in the path: request logging would write it down, so it stays off.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
// Unhandled errors are logged once, with the reference the visitor sees (ErrorPage), instead of by the middleware.
builder.Logging.AddFilter("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogLevel.None);

var section = builder.Configuration.GetSection(EscrowHostOptions.Section);
builder.Services.Configure<EscrowHostOptions>(section);
var options = section.Get<EscrowHostOptions>() ?? new EscrowHostOptions();
// Links that are stored or sent are built from the configured public address; without one the host does not start.
var publicBase = options.PublicBase();
builder.Services.AddSingleton<IPublicAddress>(new ConfiguredPublicAddress(options.PublicBaseUrl()));
// Requests naming another host are refused (400), unless AllowedHosts is configured: only the public address's host is served.
if (string.IsNullOrWhiteSpace(builder.Configuration["AllowedHosts"]))
    builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = [publicBase.Host]);
var dataDir = options.DataPath(builder.Environment.ContentRootPath);
Directory.CreateDirectory(dataDir);
// TEST-ONLY crash switch of the fault tests: nothing is installed unless Escrow:CrashAt is set (see CrashSwitch).
var crashAt = CrashSwitch.InstallFrom(builder.Configuration, options.Sandbox);

// Storage: embedded SQLite by default, PostgreSQL when a connection string is given.
// The host's logging reaches the contexts once the app is built (they are created outside DI, one per unit of work).
ILoggerFactory? loggerFactory = null;
Func<EscrowDbContext> createContext = string.IsNullOrWhiteSpace(options.Postgres)
    ? () => SqliteEscrowDatabase.Create($"Data Source={Path.Combine(dataDir, "escrow.db")}", loggerFactory)
    : () => EscrowDatabase.CreatePostgres(options.Postgres!, loggerFactory);
var stores = new EfContractStoreFactory(createContext);
// Every saved act's events go to the webhook outbox; the webhook worker delivers them.
builder.Services.AddSingleton<IWebhookStore>(new EfWebhookStore(createContext));
builder.Services.AddSingleton<IEscrowEventSink>(sp => new WebhookOutbox(sp.GetRequiredService<IWebhookStore>(), sp.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<IContractStoreFactory>(sp => new EventPublishingStores(stores, sp.GetRequiredService<IEscrowEventSink>()));
builder.Services.AddSingleton(sp => new WebhookDispatcher(sp.GetRequiredService<IWebhookStore>(),
    new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), sp.GetRequiredService<TimeProvider>()));
builder.Services.AddHostedService<WebhookWorker>();
builder.Services.AddSingleton<IAuditLog>(stores);
builder.Services.AddSingleton<IContractQueries>(new EfContractQueries(createContext));
// API requests with an Idempotency-Key, remembered in the escrow database.
builder.Services.AddSingleton<IIdempotencyStore>(new EfIdempotencyStore(createContext));
builder.Services.AddSingleton<IStoreSettingsStore>(sp => new EfStoreSettingsStore(createContext, sp.GetRequiredService<TimeProvider>()));
// Non-custodial mode's storage ports (the chain itself, IEscrowChain, is registered with the sandbox).
builder.Services.AddSingleton<BTCPayServer.Plugins.Escrow.Core.Ports.IEscrowIndexCounter>(new EfEscrowIndexCounter(createContext));
builder.Services.AddSingleton<BTCPayServer.Plugins.Escrow.Core.Ports.IEscrowWatchList>(sp => new EfEscrowWatchList(createContext, sp.GetRequiredService<TimeProvider>()));
// Party emails: queued in the outbox (sealed) and sent by the mail worker through Escrow:Smtp; none configured, none sent.
builder.Services.AddSingleton<IEmailOutbox>(new EfEmailOutbox(createContext));
builder.Services.AddSingleton<IEscrowNotifier, OutboxNotifier>();
builder.Services.AddHostedService<MailOutboxWorker>();
// The standalone host runs one agency: its configured store name is what the party pages call it.
builder.Services.AddSingleton<IAgencyNames>(new FixedAgencyName(options.StoreName));
builder.Services.AddEscrowApplication();
builder.Services.AddHostedService<EscrowWorker>();
builder.Services.AddHttpContextAccessor();
// Sign-in cookies and antiforgery tokens survive restarts: their keys live in the data folder.
builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys"))).SetApplicationName("BTCPayEscrowHost");

// Payments: the sandbox (no real funds) or a BTCPay store over Greenfield, never both (Escrow:Gateway).
builder.AddPaymentGateway(options, dataDir, createContext);
builder.Services.AddSingleton<StartupGate>();

// Staff accounts (ASP.NET Core Identity): the library's policies mean "staff of the route's store with that permission".
builder.AddStaffAccounts(options, dataDir);
// The API authenticates with API keys only, under BTCPay's scheme name, never with the cookie; a key carries its store
// and permissions as claims, the same ones a staff member's sign-in carries.
builder.Services.AddSingleton<ApiKeyStore>();
builder.Services.AddAuthentication()
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(GreenfieldApi.ApiKeyScheme, null)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, NoPasswordsOnTheApi>(GreenfieldApi.BasicScheme, null);
builder.Services.AddControllersWithViews();
builder.Services.AddEscrowOpenApi();
var knownProxies = KnownProxies.Parse(options.KnownProxies);
// Behind a reverse proxy the client's address (what the public rate limit counts) comes from X-Forwarded-For, read only
// from the proxies configured; never the forwarded host, which links and host filtering do not take from requests.
builder.Services.Configure<ForwardedHeadersOptions>(o =>
{
    o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    o.KnownProxies.Clear();
    o.KnownIPNetworks.Clear();
    // A chain of known proxies is walked back to the first address that is none of them: the client.
    o.ForwardLimit = null;
    foreach (var proxy in knownProxies)
        o.KnownIPNetworks.Add(proxy);
});

StartupTimings.Mark("services registered");
var app = builder.Build();
StartupTimings.Mark("app built");
// EF gets the host's logging without its 40-line entries for expected conflicts (the act that lost logs one line).
loggerFactory = new ExpectedConflictsLogFilter(app.Services.GetRequiredService<ILoggerFactory>());

var startupLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BTCPayServer.Plugins.Escrow.Host");
if (crashAt is not null)
    startupLog.LogWarning("TEST-ONLY crash switch armed: the process kills itself at {CrashPoint}", crashAt);
var gate = app.Services.GetRequiredService<StartupGate>();
gate.Run(async () =>
{
    // The escrow tables, the sandbox and the staff accounts are independent: prepared side by side. The sandbox (its
    // own SQLite files) starts first, while the PostgreSQL database is checked.
    var sandboxReady = Task.Run(async () =>
    {
        if (app.Services.GetService<IDbContextFactory<SandboxDbContext>>() is not { } sandboxDb)
            return;
        await StartupTimings.Time("sandbox database", async () =>
        {
            await using var sandbox = await sandboxDb.CreateDbContextAsync();
            await sandbox.Database.EnsureCreatedAsync();
        });
        // The sandbox chain is rebuilt from its journal before anything (a page, a worker) asks it for coins.
        await StartupTimings.Time("sandbox chain replay", () => app.Services.GetRequiredService<SandboxChainStore>().LoadAsync(CancellationToken.None));
    });
    var databasesReady = Task.Run(async () =>
    {
        // On PostgreSQL the escrow tables and the staff accounts share one database: both migrations would create it if
        // it is missing, and the slower one then fails with "already exists". It is created once, first.
        if (!string.IsNullOrWhiteSpace(options.Postgres))
        {
            await using var context = createContext();
            var creator = context.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>();
            if (!await creator.ExistsAsync())
                await creator.CreateAsync();
            StartupTimings.Mark("PostgreSQL database exists");
        }
        await Task.WhenAll(
            Task.Run(() => StartupTimings.Time("escrow migrations", async () =>
            {
                await using var context = createContext();
                await EscrowDatabase.MigrateAsync(context);
            })),
            Task.Run(() => StartupTimings.Time("staff accounts", app.Services.PrepareStaffAccountsAsync)));
    });
    await Task.WhenAll(sandboxReady, databasesReady);
    // Before the first answer and the worker's first pass: bring the escrow up to date with the gateway (idempotent).
    try
    {
        startupLog.LogInformation("Reconciliation with the payment gateway: started");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = await app.Services.GetRequiredService<GatewayReconciliation>().RunAsync(CancellationToken.None);
        startupLog.LogInformation("Reconciliation with the payment gateway: {Invoices} invoice(s) and {PullPayments} pull payment(s) checked, {Applied} missed event(s) applied in {Milliseconds} ms",
            report.InvoicesChecked, report.PullPaymentsChecked, report.EventsApplied, watch.ElapsedMilliseconds);
        StartupTimings.Mark("reconciliation done");
    }
    catch (Exception e)
    {
        startupLog.LogError(e, "Reconciliation with the payment gateway failed at start-up; the escrow worker tries again");
        app.Services.GetRequiredService<MissedGatewayEvents>().Note();
    }
});
// A database that cannot be brought up to date stops the host (exit code 1): it must not run half-ready.
_ = gate.Ready.ContinueWith(t =>
{
    startupLog.LogCritical(t.Exception, "The databases could not be prepared; stopping");
    Environment.ExitCode = 1;
    app.Lifetime.StopApplication();
}, TaskContinuationOptions.OnlyOnFaulted);

app.UseForwardedHeaders();
app.UseSecurityHeaders();
// A failure shows a page with a reference to quote (the log has the exception under it), never a stack trace;
// the developer page only where the environment is explicitly Development.
if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ErrorPage.WriteAsync });
// Error answers without a body get a sentence that says what happened; a 404 still says nothing about what exists.
app.UseStatusCodePages(context =>
{
    var response = context.HttpContext.Response;
    response.ContentType = "text/plain; charset=utf-8";
    return response.WriteAsync(response.StatusCode switch
    {
        StatusCodes.Status400BadRequest => "400: the request was refused. If you sent a form, it may have expired: reload the page and try again.",
        StatusCodes.Status404NotFound => "404: that page does not exist or is not yours to see.",
        StatusCodes.Status415UnsupportedMediaType => "415: send the body as JSON (Content-Type: application/json).",
        var code => $"{code}: {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code)}.",
    });
});
app.Use(async (context, next) =>
{
    await gate.Ready;
    await next(context);
    StartupTimings.Answered();
});
StartupTimings.Mark("pipeline configured");
app.UseStaticFiles();
var bootstrap = Path.Combine(builder.Environment.ContentRootPath, "node_modules", "bootstrap", "dist");
if (Directory.Exists(bootstrap))
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(bootstrap), RequestPath = "/lib/bootstrap" });
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.MapControllers();
app.MapOpenApi(EscrowOpenApi.Path);

app.Lifetime.ApplicationStarted.Register(() =>
{
    StartupTimings.Mark("web server started");
    var url = app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080";
    var o = app.Services.GetRequiredService<IOptions<EscrowHostOptions>>().Value;
    Console.WriteLine($"BTCPay Escrow ({(o.Sandbox ? "sandbox, no real funds" : $"BTCPay store {o.BTCPay.StoreId} at {o.BTCPay.Url}")}) is running at {url}");
    Console.WriteLine($"Public address (links are built from it): {publicBase}");
    Console.WriteLine($"Storage: {(string.IsNullOrWhiteSpace(o.Postgres) ? Path.Combine(dataDir, "escrow.db") : "PostgreSQL")}");
    Console.WriteLine($"Sign in at {url}/login (on the first run, {url}/setup creates the administrator unless Escrow:AdminEmail is set).");
});

try
{
    await app.RunAsync();
}
catch (Exception e) when (BTCPayServer.Plugins.Escrow.Host.Greenfield.HostRefusedToStartException.In(e) is { } refusal)
{
    // Already logged as critical; a misconfiguration gets its sentence and exit code 1, not an abort with a stack trace.
    Console.Error.WriteLine(refusal.Message);
    Environment.ExitCode = 1;
}

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
