using System.Net;
using BTCPayServer.Plugins.Escrow.Host;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// Every answer carries the security headers, and no page has what its Content-Security-Policy would block: inline
/// script, event-handler attributes, style attributes or style elements.
/// </summary>
public sealed class SecurityHeaderTests(ProxiedEscrowApp app) : IClassFixture<ProxiedEscrowApp>
{
    [Fact]
    public async Task Every_page_has_the_headers_and_nothing_the_policy_blocks()
    {
        var staff = await app.StaffAsync();
        var contract = await new Flow(app).FundedAsync(staff, ContractForm.Valid("Headers checked"));
        await new Flow(app).OpenDisputeAsync(contract, 1);
        var anonymous = app.NewBrowser();
        var pages = new List<Page>
        {
            await anonymous.GetAsync("/login"),
            await anonymous.GetAsync("/forgot-password"),
            await anonymous.GetAsync("/set-password?userId=nobody&code=x"),
            await anonymous.GetAsync("/no-such-page"),
            await anonymous.GetAsync(Urls.Staff()),
            await anonymous.GetAsync("/escrow/assets/escrow-party.js"),
            await anonymous.GetAsync("/escrow/assets/escrow.css"),
            await staff.GetAsync(Urls.Staff()),
            await staff.GetAsync(Urls.NewContract()),
            await staff.GetAsync(Urls.Contract(contract.Id)),
            await staff.GetAsync($"{Urls.Contract(contract.Id)}/edit"),
            await staff.GetAsync(Urls.Disputes()),
            await staff.GetAsync(Urls.Dispute(contract.Id, contract.MilestoneIds[0])),
            await staff.GetAsync($"{Urls.Staff()}/settings"),
            await staff.GetAsync($"{Urls.Staff()}/webhooks"),
            await staff.GetAsync("/staff"),
            await staff.GetAsync("/account/two-factor"),
            await contract.Client.GetAsync(contract.ClientUrl),
            await contract.Freelancer.GetAsync(contract.FreelancerUrl),
            await anonymous.GetAsync(Urls.Receipt(contract.Id)),
            await anonymous.GetAsync($"/escrow/stores/{EscrowApp.StoreId}/link"),
            await anonymous.GetAsync($"/escrow/stores/{EscrowApp.StoreId}/link?sent=true"),
            await staff.GetAsync($"{Urls.Staff()}/api-keys"),
        };
        foreach (var page in pages)
        {
            var headers = page.Response.Headers;
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Assert.Single(headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", Assert.Single(headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(headers.GetValues("X-Frame-Options")));
            Assert.Single(headers.GetValues("Referrer-Policy"));
            Assert.False(headers.Contains("Strict-Transport-Security"), $"{page}: HSTS over plain HTTP");
            if (page.ContentType == "text/html")
                AssertNothingBlocked(page);
        }
        foreach (var party in pages.Where(p => p.Url.AbsolutePath.StartsWith("/escrow/p/", StringComparison.Ordinal)))
            Assert.Equal("no-referrer", Assert.Single(party.Response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
        Assert.DoesNotContain("unsafe-inline", SecurityHeaders.ContentSecurityPolicy);
    }

    [Fact]
    public async Task Cookies_are_secure_when_the_known_proxy_says_the_request_came_over_https()
    {
        foreach (var (https, browser) in new[] { (true, app.NewBrowser(ProxiedEscrowApp.Proxy)), (false, app.NewBrowser(ProxiedEscrowApp.Proxy)), (false, app.NewBrowser()) })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/login");
            // A client that is not the proxy claims HTTPS too: not believed.
            if (https || browser.Address != ProxiedEscrowApp.Proxy)
                request.Headers.Add("X-Forwarded-Proto", "https");
            var page = await browser.SendRawAsync(request);
            var cookies = page.Response.Headers.GetValues("Set-Cookie").ToList();
            Assert.NotEmpty(cookies);
            Assert.All(cookies, c => Assert.Equal(https, c.Contains("; secure", StringComparison.OrdinalIgnoreCase)));
            Assert.Equal(https, page.Response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    private static void AssertNothingBlocked(Page page)
    {
        foreach (var element in page.Document.All)
        {
            Assert.False(element.HasAttribute("style"), $"{page}: style attribute on <{element.LocalName}>");
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
            if (element.LocalName == "script")
                Assert.True(element.HasAttribute("src") && element.TextContent.Trim().Length == 0, $"{page}: inline script");
            Assert.NotEqual("style", element.LocalName);
            Assert.False(element.GetAttribute("href")?.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase) == true, $"{page}: javascript: link");
        }
    }
}
