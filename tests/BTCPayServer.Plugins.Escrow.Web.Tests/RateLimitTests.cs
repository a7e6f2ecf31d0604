using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// Public endpoints are limited per client address. Each test browser has an address of its own (see
/// <see cref="TestClientAddress"/>), so this test spends only its own budget, whatever runs beside it.
/// </summary>
public sealed class RateLimitTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task A_client_guessing_tokens_is_stopped_after_the_permits_of_a_minute()
    {
        var guesser = app.NewBrowser();
        var allowed = await GuessUntilLimitedAsync(guesser);

        // The bucket holds a minute's permits and refills steadily (two a second), so a few more may pass while guessing.
        Assert.InRange(allowed, PublicRateLimitAttribute.PermitsPerMinute, PublicRateLimitAttribute.PermitsPerMinute + Slack);
        var limited = await guesser.GetAsync(Urls.Party(CapabilityToken.NewToken()));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("60", limited.Response.Headers.RetryAfter?.ToString());
        Assert.Contains("Too many requests", limited.Body);
        // The receipt is public too and shares the budget (on a loaded machine a permit or two may refill in between).
        Assert.InRange(await GuessUntilLimitedAsync(guesser, () => Urls.Receipt(Guid.NewGuid())), 0, 2);

        // Another client is not affected, and staff pages are not rate limited.
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(Urls.Party(CapabilityToken.NewToken()))).Status);
        var staff = await app.StaffAsync();
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(Urls.Staff())).Status);
    }

    [Fact]
    public async Task Addresses_of_one_IPv6_subscriber_share_one_budget()
    {
        // Documentation addresses (2001:db8::/32): labels for in-memory requests, nothing is sent anywhere.
        var half = PublicRateLimitAttribute.PermitsPerMinute / 2;
        foreach (var address in new[] { "2001:db8:0:1::1", "2001:db8:0:1::2" })
        {
            var guesser = app.NewBrowser(IPAddress.Parse(address));
            for (var i = 0; i < half; i++)
                Assert.Equal(HttpStatusCode.NotFound, (await guesser.GetAsync(Urls.Party(CapabilityToken.NewToken()))).Status);
        }
        // A third address of the same /64 finds the budget spent (but for what refilled meanwhile).
        var sameSubscriber = app.NewBrowser(IPAddress.Parse("2001:db8:0:1:ffff:ffff:ffff:ffff"));
        Assert.InRange(await GuessUntilLimitedAsync(sameSubscriber), 0, Slack);
        var neighbour = app.NewBrowser(IPAddress.Parse("2001:db8:0:2::1"));
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync(Urls.Party(CapabilityToken.NewToken()))).Status);
    }

    [Fact]
    public async Task A_spent_budget_comes_back_a_little_at_a_time_not_in_a_burst()
    {
        var guesser = app.NewBrowser();
        await GuessUntilLimitedAsync(guesser);
        // Two permits a second come back; a bucket refilled once a minute would give nothing now, or 120 at once.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.InRange(await GuessUntilLimitedAsync(guesser), 1, Slack);
    }

    [Fact]
    public void IPv4_clients_seen_through_IPv6_count_as_themselves()
    {
        Assert.Equal(IPAddress.Parse("127.9.9.9"), PublicRateLimitAttribute.ClientOf(IPAddress.Parse("::ffff:127.9.9.9")));
        Assert.Equal(IPAddress.None, PublicRateLimitAttribute.ClientOf(null));
    }

    /// <summary>Tokens refilled while a slow machine sends the guesses; far below a second minute's worth.</summary>
    private const int Slack = 40;

    /// <summary>Guesses party links until the limit answers; returns how many guesses were let through (404).</summary>
    private async Task<int> GuessUntilLimitedAsync(Browser guesser, Func<string>? url = null)
    {
        for (var allowed = 0; allowed <= PublicRateLimitAttribute.PermitsPerMinute + Slack; allowed++)
        {
            var guess = await guesser.GetAsync(url?.Invoke() ?? $"{Urls.Party(CapabilityToken.NewToken())}/status");
            if (guess.Status == HttpStatusCode.TooManyRequests)
                return allowed;
            Assert.Equal(HttpStatusCode.NotFound, guess.Status);
        }
        throw new Xunit.Sdk.XunitException("The guesser was never limited.");
    }
}
