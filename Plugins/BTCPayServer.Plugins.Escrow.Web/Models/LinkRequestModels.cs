using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

public sealed class LinkRequestForm
{
    public string? Email { get; set; }
}

/// <summary>What the "Email me my link" page shows: the agency, whether it sends email at all, and the one answer.</summary>
public sealed record LinkRequestPageModel(string StoreId, AgencyBrand Brand, bool CanSend, bool Sent)
{
    public string? Email { get; init; }
    public string? Error { get; init; }
    public string AgencyName => Brand.Name ?? "the agency";
}
