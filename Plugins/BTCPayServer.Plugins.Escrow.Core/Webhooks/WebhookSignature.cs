using System.Security.Cryptography;
using System.Text;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>The <c>BTCPay-Sig</c> header, made as BTCPay makes it: <c>sha256=</c> and the hex HMAC-SHA256 of the body.</summary>
public static class WebhookSignature
{
    public const string Header = "BTCPay-Sig";

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>For receivers (and tests): compares in constant time.</summary>
    public static bool Verify(string secret, byte[] body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header.Trim()));
}
