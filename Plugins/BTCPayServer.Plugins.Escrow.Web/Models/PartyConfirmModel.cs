namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>
/// The second, deliberate step of a party act that moves money or cannot be undone: what will happen, with the exact
/// amounts, and a form that repeats the act with confirm=yes. Plain HTML, so it works with JavaScript off.
/// </summary>
public sealed class PartyConfirmModel
{
    public required string Token { get; init; }
    public required string ContractTitle { get; init; }
    public required string Heading { get; init; }
    public required IReadOnlyList<string> Figures { get; init; }
    public required string Consequence { get; init; }
    public required string ActionUrl { get; init; }
    public required string ButtonText { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; } = [];
}
