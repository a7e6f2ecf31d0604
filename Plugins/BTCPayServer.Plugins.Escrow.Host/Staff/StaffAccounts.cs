using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Staff;

public sealed record StaffAccount(string Email, string PasswordHash);

/// <summary>
/// The host's one administrator: from configuration (Escrow:AdminEmail / Escrow:AdminPassword), or created on the
/// first-run set-up page and kept in data/admin.json with a salted PBKDF2 hash.
/// </summary>
public sealed class StaffAccounts(IOptions<EscrowHostOptions> options, IWebHostEnvironment env)
{
    public const int MinPasswordLength = 8;
    private static readonly PasswordHasher<StaffAccount> Hasher = new();
    private readonly Lock _gate = new();

    private string FilePath => Path.Combine(options.Value.DataPath(env.ContentRootPath), "admin.json");

    public bool IsConfigured => options.Value.AdminEmail is { Length: > 0 } || File.Exists(FilePath);

    public bool Verify(string? email, string? password)
    {
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password))
            return false;
        var o = options.Value;
        if (o.AdminEmail is { Length: > 0 } configured)
            return string.Equals(configured, email.Trim(), StringComparison.OrdinalIgnoreCase)
                && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(o.AdminPassword ?? ""), System.Text.Encoding.UTF8.GetBytes(password));
        var account = Read();
        return account is not null && string.Equals(account.Email, email.Trim(), StringComparison.OrdinalIgnoreCase)
            && Hasher.VerifyHashedPassword(account, account.PasswordHash, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>Creates the administrator once; refuses when one exists, so the set-up page cannot be replayed.</summary>
    public string? Create(string? email, string? password)
    {
        var trimmed = email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(trimmed, out _) || trimmed.Length > 320)
            return "Enter a valid email address.";
        if (password is null || password.Length < MinPasswordLength || password.Length > 200)
            return $"Choose a password of {MinPasswordLength} to 200 characters.";
        lock (_gate)
        {
            if (IsConfigured)
                return "An administrator already exists.";
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var account = new StaffAccount(trimmed, "");
            account = account with { PasswordHash = Hasher.HashPassword(account, password) };
            File.WriteAllText(FilePath, JsonSerializer.Serialize(account));
        }
        return null;
    }

    private StaffAccount? Read() => File.Exists(FilePath) ? JsonSerializer.Deserialize<StaffAccount>(File.ReadAllText(FilePath)) : null;
}
