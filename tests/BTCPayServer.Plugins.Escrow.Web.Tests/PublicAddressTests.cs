using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>A host whose operator lets any Host header in (AllowedHosts=*): links must still come from Escrow:PublicUrl.</summary>
public sealed class AnyHostEscrowApp : EscrowApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("AllowedHosts", "*");
}

/// <summary>Links that are stored or sent are built from the configured public address, never from the request.</summary>
public sealed class PublicAddressTests(AnyHostEscrowApp app) : IClassFixture<AnyHostEscrowApp>
{
    private const string Evil = "evil.example";

    [Fact]
    public async Task The_checkout_link_stored_for_a_funding_invoice_ignores_the_requests_host()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ActiveAsync(staff);
        await c.Client.OpenAsync(c.ClientUrl);
        var fund = new HttpRequestMessage(HttpMethod.Post, $"{c.ClientUrl}/fund")
        {
            Content = new FormUrlEncodedContent([new("milestoneIds", c.MilestoneIds[0].ToString()), new("__RequestVerificationToken", await c.Client.TokenAsync())]),
        };
        fund.Headers.Host = Evil;
        var answer = await c.Client.SendRawAsync(fund);

        Assert.True(answer.IsRedirect, answer.Excerpt());
        Assert.StartsWith($"{EscrowApp.PublicUrl}/sandbox/checkout/", answer.Location!.ToString());
        var stored = (await app.ContractAsync(c.Id)).Invoices.Single().CheckoutLink;
        Assert.StartsWith($"{EscrowApp.PublicUrl}/sandbox/checkout/", stored);
        Assert.DoesNotContain(Evil, stored);
    }

    [Fact]
    public async Task Party_links_shown_to_staff_ignore_the_requests_host()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ActiveAsync(staff);
        var rotate = new HttpRequestMessage(HttpMethod.Post, $"{Urls.Contract(c.Id)}/links/Client/rotate")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", await staff.TokenAsync())]),
        };
        rotate.Headers.Host = Evil;
        var answer = await staff.SendRawAsync(rotate);
        Assert.True(answer.IsRedirect, answer.Excerpt());

        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        var link = details.Get("#ClientLink").GetAttribute("value")!;
        Assert.StartsWith($"{EscrowApp.PublicUrl}/escrow/p/", link);
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(new Uri(link).AbsolutePath)).Status);
    }
}

public sealed class HostFilteringTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task A_request_naming_another_host_than_the_public_address_is_refused()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.Host = "evil.example";
        var answer = await app.NewBrowser().SendRawAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);

        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync("/login")).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("escrow.example.com")]
    [InlineData("ftp://escrow.example.com")]
    public async Task The_host_does_not_start_without_a_usable_public_address(string publicUrl)
    {
        var broken = new MisconfiguredEscrowApp(publicUrl);
        var error = await Assert.ThrowsAnyAsync<Exception>(broken.InitializeAsync);
        Assert.Contains("Escrow:PublicUrl", error.ToString());
        await broken.DisposeAsync();
    }

    private sealed class MisconfiguredEscrowApp(string publicUrl) : EscrowApp
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Escrow:PublicUrl", publicUrl);
    }
}
