using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>A store's branding reaches the party page only as a plain colour and an http(s) image address.</summary>
public sealed class AgencyBrandTests
{
    [Theory]
    [InlineData("red;background:url(https://evil.test/x)")]
    [InlineData("#12345")]
    [InlineData("#1234567")]
    [InlineData("expression(alert(1))")]
    [InlineData("")]
    public void A_colour_that_is_not_a_hex_colour_is_dropped(string colour) =>
        Assert.Null(new AgencyBrand("Acme", color: colour).Color);

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=")]
    [InlineData("/relative/logo.png")]
    [InlineData("fileid:abc")]
    public void A_logo_that_is_not_an_http_address_is_dropped(string logo) =>
        Assert.Null(new AgencyBrand("Acme", logo).LogoUrl);

    [Fact]
    public void Plain_values_are_kept_and_a_blank_name_means_none()
    {
        var brand = new AgencyBrand("  Acme Agency ", "https://acme.test/logo.png", "#0a7C3f");
        Assert.Equal(("Acme Agency", "https://acme.test/logo.png", "#0a7C3f"), (brand.Name, brand.LogoUrl, brand.Color));
        Assert.Null(new AgencyBrand("   ").Name);
    }
}
