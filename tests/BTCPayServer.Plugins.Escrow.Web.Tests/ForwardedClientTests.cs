using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The host behind a reverse proxy at 127.200.0.1 (Escrow:KnownProxies).</summary>
public sealed class ProxiedEscrowApp : EscrowApp
{
    public static readonly IPAddress Proxy = IPAddress.Parse("127.200.0.1");

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Escrow:KnownProxies:0", Proxy.ToString());
}

/// <summary>
/// Behind a proxy every request comes from the proxy's address: the client's address is the forwarded one, read only
/// from the configured proxy, so each client has its own rate-limit budget and nobody else can choose theirs.
/// </summary>
public sealed class ForwardedClientTests(ProxiedEscrowApp app) : IClassFixture<ProxiedEscrowApp>
{
    private static async Task<Page> GuessAsync(Browser browser, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Urls.Party(CapabilityToken.NewToken())}/status");
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await browser.SendRawAsync(request);
    }

    private static async Task<int> GuessUntilLimitedAsync(Browser browser, Func<int, string?> forwardedFor)
    {
        for (var allowed = 0; allowed <= PublicRateLimitAttribute.PermitsPerMinute + 40; allowed++)
        {
            if ((await GuessAsync(browser, forwardedFor(allowed))).Status == HttpStatusCode.TooManyRequests)
                return allowed;
        }
        throw new Xunit.Sdk.XunitException("Never limited.");
    }

    [Fact]
    public async Task Clients_behind_the_known_proxy_each_have_their_own_budget()
    {
        var proxy = app.NewBrowser(ProxiedEscrowApp.Proxy);
        // One client behind the proxy spends its budget...
        Assert.InRange(await GuessUntilLimitedAsync(proxy, _ => "203.0.113.7"), PublicRateLimitAttribute.PermitsPerMinute, PublicRateLimitAttribute.PermitsPerMinute + 40);
        // ...and another client behind the same proxy is not affected.
        Assert.Equal(HttpStatusCode.NotFound, (await GuessAsync(proxy, "203.0.113.8")).Status);
        // Through a chain: the proxy forwards what an outer proxy reported; the client is the rightmost unknown address.
        // The bucket refills bit by bit (2 permits a second): on a busy machine a permit or two may be back by now, but
        // not the fresh budget of another client.
        Assert.InRange(await GuessUntilLimitedAsync(proxy, _ => "198.51.100.1, 203.0.113.7"), 0, 10);
    }

    [Fact]
    public async Task A_client_that_is_not_a_known_proxy_cannot_choose_its_address()
    {
        var direct = app.NewBrowser();
        // A fresh forwarded address on every request would be a fresh budget if the header were believed.
        Assert.InRange(await GuessUntilLimitedAsync(direct, n => $"192.0.2.{n % 250 + 1}"), PublicRateLimitAttribute.PermitsPerMinute, PublicRateLimitAttribute.PermitsPerMinute + 40);
    }

    [Fact]
    public async Task An_open_party_page_polling_its_status_does_not_spend_the_partys_budget()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ProposedAsync(staff);
        var party = app.NewBrowser();
        Assert.Equal(HttpStatusCode.OK, (await party.GetAsync(c.ClientUrl)).Status);
        // More polls than the address's budget for a minute (a page left open polls every 3 seconds)...
        for (var i = 0; i < PublicRateLimitAttribute.PermitsPerMinute + 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await party.GetAsync($"{c.ClientUrl}/status")).Status);
        // ...and the party can still open and use its page.
        Assert.Equal(HttpStatusCode.OK, (await party.GetAsync(c.ClientUrl)).Status);
    }
}
