using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Terms;

/// <summary>
/// The one text both parties sign by hash: fixed key order, no white space, amounts with exactly their
/// currency's decimals, dates as yyyy-MM-dd, windows in whole seconds. Same terms, same bytes, same hash.
/// </summary>
public static class TermsCanonicalForm
{
    public const int FormatVersion = 1;

    /// <param name="custody">
    /// Who holds the money is part of what the parties agree to: a non-custodial contract's text says so (and so has
    /// its own hash); a custodial one's text is exactly as before the mode existed, so every hash already signed still
    /// verifies.
    /// </param>
    public static string Serialize(ContractTerms terms, CustodyMode custody = CustodyMode.Custodial)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", FormatVersion);
            w.WriteString("title", terms.Title);
            w.WriteString("scope", terms.Scope);
            WriteParty(w, "client", terms.Client);
            WriteParty(w, "freelancer", terms.Freelancer);
            w.WriteString("currency", terms.Currency);
            if (custody != CustodyMode.Custodial)
                w.WriteString("custody", custody.ToString());
            w.WriteStartObject("fee");
            w.WriteString("percent", terms.Fee.Percent.ToString("F2", CultureInfo.InvariantCulture));
            w.WriteString("fixedPerMilestone", terms.Fee.FixedPerMilestone.FormatAmount());
            w.WriteString("chargedTo", terms.Fee.ChargedTo.ToString());
            w.WriteEndObject();
            w.WriteString("fx", terms.Fx.ToString());
            w.WriteString("overpayment", terms.Overpayment.ToString());
            w.WriteNumber("reviewWindowSeconds", (long)terms.ReviewWindow.TotalSeconds);
            w.WriteNumber("disputeResponseWindowSeconds", (long)terms.DisputeResponseWindow.TotalSeconds);
            w.WriteStartArray("milestones");
            foreach (var m in terms.Milestones)
            {
                w.WriteStartObject();
                w.WriteString("id", m.Id.ToString("D"));
                w.WriteString("title", m.Title);
                w.WriteString("deliverable", m.Deliverable);
                w.WriteString("amount", m.Amount.FormatAmount());
                if (m.DueDate is { } due) w.WriteString("dueDate", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                else w.WriteNull("dueDate");
                if (m.ReviewWindow is { } window) w.WriteNumber("reviewWindowSeconds", (long)window.TotalSeconds);
                else w.WriteNull("reviewWindowSeconds");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 canonical text.</summary>
    public static string Hash(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    /// <summary>Reads a canonical text back into terms (to apply an accepted amendment).</summary>
    public static ContractTerms Parse(string canonical)
    {
        using var doc = JsonDocument.Parse(canonical);
        var r = doc.RootElement;
        var currency = r.GetProperty("currency").GetString()!;
        var fee = r.GetProperty("fee");
        var milestones = r.GetProperty("milestones").EnumerateArray().Select(m => new MilestoneTerms(
            Guid.Parse(m.GetProperty("id").GetString()!),
            m.GetProperty("title").GetString()!,
            m.GetProperty("deliverable").GetString()!,
            ParseMoney(m.GetProperty("amount"), currency),
            m.GetProperty("dueDate").ValueKind == JsonValueKind.Null ? null : DateOnly.ParseExact(m.GetProperty("dueDate").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            m.GetProperty("reviewWindowSeconds").ValueKind == JsonValueKind.Null ? null : TimeSpan.FromSeconds(m.GetProperty("reviewWindowSeconds").GetInt64()))).ToList();
        return ContractTerms.Create(
            r.GetProperty("title").GetString(),
            r.GetProperty("scope").GetString(),
            ReadParty(r.GetProperty("client"), "client"),
            ReadParty(r.GetProperty("freelancer"), "freelancer"),
            currency,
            FeePolicy.Create(
                decimal.Parse(fee.GetProperty("percent").GetString()!, CultureInfo.InvariantCulture),
                ParseMoney(fee.GetProperty("fixedPerMilestone"), currency),
                Enum.Parse<FeePayer>(fee.GetProperty("chargedTo").GetString()!)),
            Enum.Parse<FxPolicy>(r.GetProperty("fx").GetString()!),
            Enum.Parse<OverpaymentHandling>(r.GetProperty("overpayment").GetString()!),
            TimeSpan.FromSeconds(r.GetProperty("reviewWindowSeconds").GetInt64()),
            TimeSpan.FromSeconds(r.GetProperty("disputeResponseWindowSeconds").GetInt64()),
            milestones);
    }

    private static void WriteParty(Utf8JsonWriter w, string name, Party party)
    {
        w.WriteStartObject(name);
        w.WriteString("name", party.Name);
        w.WriteString("email", party.Email);
        w.WriteEndObject();
    }

    private static Party ReadParty(JsonElement e, string field) =>
        Party.Create(e.GetProperty("name").GetString(), e.GetProperty("email").GetString(), field);

    private static Money ParseMoney(JsonElement e, string currency) =>
        Money.Of(decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture), currency);
}
