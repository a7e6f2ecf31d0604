namespace BTCPayServer.Plugins.Escrow.Core.Access;

/// <summary>
/// A freshly issued link's raw token on its way into one email. It prints as a placeholder, so a message logged or
/// recorded whole never carries the secret; only the code that builds the email's address reads <see cref="Token"/>.
/// </summary>
public sealed class PartyLink(string token)
{
    public string Token { get; } = token;

    public override string ToString() => "[party link]";
}
