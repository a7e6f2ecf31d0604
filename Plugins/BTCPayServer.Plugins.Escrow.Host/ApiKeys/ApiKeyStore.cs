using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.ApiKeys;

/// <summary>An API key as stored: never the key itself, only its SHA-256.</summary>
public sealed record ApiKey(string Id, string Label, string Hash, IReadOnlyList<string> Permissions, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>
/// The host's API keys, created by the administrator and kept in data/api-keys.json next to the admin account. A key is
/// 32 random bytes as hex, shown once when it is made; only its SHA-256 is written down, so a copy of the data folder
/// holds no usable key. Revoked keys stay listed (and refused).
/// </summary>
public sealed class ApiKeyStore(IOptions<EscrowHostOptions> options, IWebHostEnvironment env)
{
    public const int MaxLabelLength = 100;
    private readonly Lock _gate = new();

    private string FilePath => Path.Combine(options.Value.DataPath(env.ContentRootPath), "api-keys.json");

    public IReadOnlyList<ApiKey> List()
    {
        lock (_gate)
            return Read();
    }

    /// <summary>Makes a key; the token is returned here and kept nowhere.</summary>
    public (ApiKey Key, string Token) Create(string? label, IEnumerable<string>? permissions)
    {
        var name = label?.Trim() ?? "";
        if (name.Length is 0 or > MaxLabelLength)
            throw new ArgumentException($"Give the key a label of 1 to {MaxLabelLength} characters (what uses it).");
        var granted = (permissions ?? []).Distinct().ToList();
        if (granted.Count == 0 || granted.Any(p => !EscrowPermissions.All.Contains(p)))
            throw new ArgumentException("Choose what the key may do: manage contracts, arbitrate disputes, or both.");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), name, HashOf(token), granted, Now, null);
        lock (_gate)
            Write([.. Read(), key]);
        return (key, token);
    }

    /// <summary>Revokes a key at once; false when there is no such key.</summary>
    public bool Revoke(string id)
    {
        lock (_gate)
        {
            var keys = Read().ToList();
            var index = keys.FindIndex(k => k.Id == id);
            if (index < 0)
                return false;
            if (!keys[index].IsRevoked)
                keys[index] = keys[index] with { RevokedAt = Now };
            Write(keys);
            return true;
        }
    }

    /// <summary>The key a token is, revoked or not; null when no key has that hash.</summary>
    public ApiKey? Find(string token)
    {
        var hash = HashOf(token);
        return List().FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(k.Hash), Encoding.ASCII.GetBytes(hash)));
    }

    // System time, not the sandbox clock in DI: moving the sandbox clock must not change when a key was made or revoked.
    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private List<ApiKey> Read() =>
        File.Exists(FilePath) ? JsonSerializer.Deserialize<List<ApiKey>>(File.ReadAllText(FilePath)) ?? [] : [];

    private void Write(IReadOnlyList<ApiKey> keys)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(keys, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, FilePath, overwrite: true);
    }
}
