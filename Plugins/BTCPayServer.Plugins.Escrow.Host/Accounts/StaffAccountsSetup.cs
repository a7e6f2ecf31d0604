using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>Staff accounts of the standalone host: Identity, its database, the sign-in cookie and the policies.</summary>
public static class StaffAccountsSetup
{
    public const int MinPasswordLength = 8;
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutWindow = TimeSpan.FromMinutes(15);
    /// <summary>How long a disabled account's or changed permissions' old sign-in cookie may still be honoured.</summary>
    public static readonly TimeSpan SessionRecheck = TimeSpan.FromMinutes(1);
    public const string ManageStaffPolicy = "Escrow.Host.ManageStaff";

    public static WebApplicationBuilder AddStaffAccounts(this WebApplicationBuilder builder, EscrowHostOptions options, string dataDir)
    {
        var services = builder.Services;
        // The database follows the escrow's: PostgreSQL when configured (a schema of its own), else a SQLite file of its own.
        // As for the escrow's contexts, migrating skips the design-time model check (a start-up cost): StaffMigrationTests makes it.
        if (string.IsNullOrWhiteSpace(options.Postgres))
            services.AddDbContext<StaffIdentityDbContext, SqliteStaffIdentityDbContext>(o => o.UseSqlite(SqliteStaffIdentityDbContext.ConnectionString(dataDir))
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        else
            services.AddDbContext<StaffIdentityDbContext, PostgresStaffIdentityDbContext>(o => o.UseNpgsql(options.Postgres,
                    npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", PostgresStaffIdentityDbContext.Schema))
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        services.AddSingleton(new SignInClock(TimeProvider.System));
        services.AddIdentity<StaffUser, IdentityRole>(o =>
            {
                // Length over composition rules (NIST SP 800-63B): a long passphrase is accepted as it is.
                o.Password.RequiredLength = MinPasswordLength;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = LockoutWindow;
                o.User.RequireUniqueEmail = true;
                o.ClaimsIdentity.UserIdClaimType = StaffClaimsFactory.UserIdClaim;
            })
            .AddEntityFrameworkStores<StaffIdentityDbContext>()
            .AddUserManager<StaffUserManager>()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>()
            .AddDefaultTokenProviders();
        // Invitation and reset links stay valid for three days, and once used (or the password changed) no longer work.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(3));
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = SessionRecheck;
            o.TimeProvider = TimeProvider.System;
        });
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.Cookie.Name = "escrow.staff";
            // Sign-in expiry runs on real time: the TimeProvider in DI is the sandbox clock, and moving it must not sign staff out.
            o.TimeProvider = TimeProvider.System;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request came over HTTPS (directly, or as a known proxy's X-Forwarded-Proto says).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Another store's pages (or a permission this user lacks) do not exist for this user: 404, not 403.
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = StatusCodes.Status404NotFound; return Task.CompletedTask; };
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, StoreStaffHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(EscrowPolicies.ManageContracts, p => p.AddRequirements(new StoreStaffRequirement(ApiKeys.EscrowPermissions.ManageContracts)))
            .AddPolicy(EscrowPolicies.ArbitrateDisputes, p => p.AddRequirements(new StoreStaffRequirement(ApiKeys.EscrowPermissions.ArbitrateDisputes)))
            .AddPolicy(ManageStaffPolicy, p => p.RequireClaim(StaffClaimsFactory.AdministratorClaim));
        services.AddScoped<StaffInvitations>();
        return builder;
    }

    /// <summary>Brings the accounts' database up to date and imports the administrator of earlier versions (once).</summary>
    public static async Task PrepareStaffAccountsAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StaffIdentityDbContext>().Database.MigrateAsync();
        await FirstAdministrator.ImportAsync(scope.ServiceProvider);
    }
}
