using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>
/// The administrator the host had before staff accounts: data/admin.json (written by /setup, a PBKDF2 hash in Identity's
/// format) or Escrow:AdminEmail / Escrow:AdminPassword. Either becomes an account with every permission when the host has
/// no account yet; after that, accounts are managed on the Staff page and those settings are not read again.
/// </summary>
public static class FirstAdministrator
{
    private sealed record LegacyAdmin(string Email, string PasswordHash);

    public static async Task ImportAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<UserManager<StaffUser>>();
        if (await users.Users.AnyAsync())
            return;
        var options = services.GetRequiredService<IOptions<EscrowHostOptions>>().Value;
        var file = Path.Combine(options.DataPath(services.GetRequiredService<IWebHostEnvironment>().ContentRootPath), "admin.json");
        if (File.Exists(file) && JsonSerializer.Deserialize<LegacyAdmin>(await File.ReadAllTextAsync(file)) is { } legacy)
        {
            var admin = New(legacy.Email);
            admin.PasswordHash = legacy.PasswordHash;
            Check(await users.CreateAsync(admin), "data/admin.json");
            File.Move(file, file + ".imported", overwrite: true);
        }
        else if (options.AdminEmail is { Length: > 0 } email)
            Check(await users.CreateAsync(New(email.Trim()), options.AdminPassword ?? ""), $"{EscrowHostOptions.Section}:AdminEmail and AdminPassword");
    }

    public static StaffUser New(string email) => new()
    {
        UserName = email,
        Email = email,
        EmailConfirmed = true,
        MayManageContracts = true,
        MayArbitrateDisputes = true,
        IsAdministrator = true,
    };

    private static void Check(IdentityResult result, string source)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"The administrator from {source} could not be created: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
