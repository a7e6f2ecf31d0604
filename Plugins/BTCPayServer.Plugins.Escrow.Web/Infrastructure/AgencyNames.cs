using System.Text.RegularExpressions;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// How the party pages present the agency (the store): its name, and inside BTCPay its logo and brand colour. Values that
/// are not a plain colour or an http(s) address are dropped here, so a page never writes them into a style or an image.
/// </summary>
public sealed partial class AgencyBrand
{
    public static readonly AgencyBrand None = new(name: null);

    public AgencyBrand(string? name, string? logoUrl = null, string? color = null)
    {
        Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        LogoUrl = Uri.TryCreate(logoUrl, UriKind.Absolute, out var logo) && (logo.Scheme == Uri.UriSchemeHttps || logo.Scheme == Uri.UriSchemeHttp) ? logo.AbsoluteUri : null;
        Color = color is not null && HexColor().IsMatch(color) ? color : null;
    }

    public string? Name { get; }
    public string? LogoUrl { get; }
    /// <summary>A CSS hex colour (#abc or #aabbcc) or null.</summary>
    public string? Color { get; }

    [GeneratedRegex("^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex HexColor();
}

/// <summary>The agency's (store's) presentation for the party pages; a host that knows nothing answers <see cref="AgencyBrand.None"/>.</summary>
public interface IAgencyNames
{
    Task<AgencyBrand> BrandOfAsync(string storeId, CancellationToken cancellationToken);
}

/// <summary>One configured name for every store: the standalone host runs a single agency.</summary>
public sealed class FixedAgencyName(string? name) : IAgencyNames
{
    private readonly AgencyBrand _brand = new(name);

    public Task<AgencyBrand> BrandOfAsync(string storeId, CancellationToken cancellationToken) => Task.FromResult(_brand);
}
