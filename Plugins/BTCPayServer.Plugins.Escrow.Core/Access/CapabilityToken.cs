using System.Security.Cryptography;
using System.Text;

namespace BTCPayServer.Plugins.Escrow.Core.Access;

/// <summary>
/// The secret in a party's private link: 256 random bits, base64url. Only its SHA-256 is stored; the raw token
/// is shown once, when the link is issued.
/// </summary>
public static class CapabilityToken
{
    public const int ByteLength = 32;

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(ByteLength));

    /// <summary>SHA-256 of the token text, hex; what storage keeps and looks up.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Constant-time check of a presented token against a stored hash.</summary>
    public static bool Matches(string? presentedToken, string? storedHash)
    {
        if (string.IsNullOrEmpty(presentedToken) || string.IsNullOrEmpty(storedHash) || presentedToken.Length > 128)
            return false;
        var presented = Encoding.ASCII.GetBytes(HashOf(presentedToken));
        var stored = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
