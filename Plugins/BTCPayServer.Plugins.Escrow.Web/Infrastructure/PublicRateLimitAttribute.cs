using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// Limits public (capability-link) endpoints per client address: a token-guessing run is slowed to a crawl whatever the host.
/// Kept inside the library so it works the same in BTCPay and in the standalone host. The address is the connection's as
/// the host resolved it (behind a reverse proxy, the host reads the forwarded client address from its known proxies).
/// An endpoint marked <see cref="PollingEndpointAttribute"/> (what an open page polls) does not spend the address's
/// budget when its link is valid: it has a budget per link of its own; an unknown link still costs a permit.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicRateLimitAttribute : Attribute, IAsyncActionFilter
{
    public const int PermitsPerMinute = 120;
    /// <summary>Polls per minute per link: an open page polls every 3 seconds (20 a minute); a dozen tabs of one party fit.</summary>
    public const int PollsPerMinute = 240;

    private static readonly PartitionedRateLimiter<IPAddress> Limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(ip =>
        RateLimitPartition.GetTokenBucketLimiter(ip, _ => Bucket(PermitsPerMinute)));

    // Keyed by a hash of the link's token: the secret itself is not kept.
    private static readonly PartitionedRateLimiter<string> PollLimiter = PartitionedRateLimiter.Create<string, string>(link =>
        RateLimitPartition.GetTokenBucketLimiter(link, _ => Bucket(PollsPerMinute)));

    private static TokenBucketRateLimiterOptions Bucket(int perMinute) => new()
    {
        TokenLimit = perMinute,
        TokensPerPeriod = perMinute,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var client = ClientOf(context.HttpContext.Connection.RemoteIpAddress);
        if (context.ActionDescriptor.EndpointMetadata.OfType<PollingEndpointAttribute>().Any())
        {
            await PollAsync(context, next, client);
            return;
        }
        using var lease = Limiter.AttemptAcquire(client);
        if (!lease.IsAcquired)
        {
            Refuse(context);
            return;
        }
        await next();
    }

    /// <summary>
    /// A poll is refused when the address has spent its budget (so guessing through it stops too), is counted against
    /// its link's own budget, and costs the address a permit only when the link turns out unknown (a 404).
    /// </summary>
    private static async Task PollAsync(ActionExecutingContext context, ActionExecutionDelegate next, IPAddress client)
    {
        // Asking for zero permits succeeds even from an empty bucket: read what is left instead.
        if (Limiter.GetStatistics(client) is { CurrentAvailablePermits: <= 0 })
        {
            Refuse(context);
            return;
        }
        var link = context.RouteData.Values["token"] as string ?? "";
        using (var poll = PollLimiter.AttemptAcquire(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(link)))))
        {
            if (!poll.IsAcquired)
            {
                Refuse(context);
                return;
            }
        }
        var executed = await next();
        if (executed.Result is IStatusCodeActionResult { StatusCode: StatusCodes.Status404NotFound })
            Limiter.AttemptAcquire(client).Dispose();
    }

    private static void Refuse(ActionExecutingContext context)
    {
        context.HttpContext.Response.Headers.RetryAfter = "60";
        context.Result = new ContentResult { StatusCode = StatusCodes.Status429TooManyRequests, Content = "Too many requests. Try again in a minute.", ContentType = "text/plain" };
    }

    /// <summary>
    /// The bucket of an address. One IPv6 subscriber holds a whole /64, so guessing from many addresses of it counts as
    /// one client; an IPv4 address seen as IPv6 (::ffff:a.b.c.d) is the IPv4 client it is.
    /// </summary>
    public static IPAddress ClientOf(IPAddress? address)
    {
        if (address is null)
            return IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}

/// <summary>An endpoint a page polls on its own (the party page's status): see <see cref="PublicRateLimitAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PollingEndpointAttribute : Attribute;
