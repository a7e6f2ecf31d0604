using System.Net.Mail;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>A client or freelancer as named in the terms. They have no BTCPay account.</summary>
public sealed record Party
{
    public const int MaxNameLength = 200;
    public const int MaxEmailLength = 320;

    private Party(string name, string email)
    {
        Name = name;
        Email = email;
    }

    public string Name { get; private init; }
    public string Email { get; private init; }

    public static Party Create(string? name, string? email, string field)
    {
        var trimmedName = Text.Required(name, $"{field}.name", "name", MaxNameLength);
        var trimmedEmail = Text.Required(email, $"{field}.email", "email", MaxEmailLength);
        if (!MailAddress.TryCreate(trimmedEmail, out var address) || address.Address != trimmedEmail)
            throw new InvalidInputException($"{field}.email", $"'{trimmedEmail}' is not an email address.");
        return new Party(trimmedName, trimmedEmail);
    }
}
