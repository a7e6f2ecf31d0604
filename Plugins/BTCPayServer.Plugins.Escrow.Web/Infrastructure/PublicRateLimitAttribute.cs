using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// Limits public (capability-link) endpoints per client address: a token-guessing run is slowed to a crawl whatever the host.
/// Kept inside the library so it works the same in BTCPay and in the standalone host.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PublicRateLimitAttribute : Attribute, IAsyncActionFilter
{
    public const int PermitsPerMinute = 120;

    private static readonly PartitionedRateLimiter<IPAddress> Limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(ip =>
        RateLimitPartition.GetTokenBucketLimiter(ip, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = PermitsPerMinute,
            TokensPerPeriod = PermitsPerMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        using var lease = Limiter.AttemptAcquire(ClientOf(context.HttpContext.Connection.RemoteIpAddress));
        if (!lease.IsAcquired)
        {
            context.HttpContext.Response.Headers.RetryAfter = "60";
            context.Result = new ContentResult { StatusCode = StatusCodes.Status429TooManyRequests, Content = "Too many requests. Try again in a minute.", ContentType = "text/plain" };
            return;
        }
        await next();
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
