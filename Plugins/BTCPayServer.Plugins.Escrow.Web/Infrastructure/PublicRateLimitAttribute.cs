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
        var ip = context.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None;
        using var lease = Limiter.AttemptAcquire(ip);
        if (!lease.IsAcquired)
        {
            context.HttpContext.Response.Headers.RetryAfter = "60";
            context.Result = new ContentResult { StatusCode = StatusCodes.Status429TooManyRequests, Content = "Too many requests. Try again in a minute.", ContentType = "text/plain" };
            return;
        }
        await next();
    }
}
