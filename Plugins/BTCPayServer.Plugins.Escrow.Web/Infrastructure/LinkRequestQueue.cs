using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>One request made on the "Email me my link" page.</summary>
public sealed record LinkRequest(string StoreId, string Email);

/// <summary>
/// Requests from the "Email me my link" page wait here for <see cref="LinkRequestWorker"/>: the page answers at once and
/// the same way whether or not the address belongs to a party (looking contracts up and queuing emails would otherwise
/// take longer for a known address). Bounded: when full, a request is dropped, as an over-limit one is.
/// </summary>
public sealed class LinkRequestQueue
{
    public const int Capacity = 1000;

    private readonly Channel<LinkRequest> _channel = Channel.CreateBounded<LinkRequest>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public bool TryEnqueue(LinkRequest request) => _channel.Writer.TryWrite(request);

    public ChannelReader<LinkRequest> Reader => _channel.Reader;
}

/// <summary>
/// Limits on the "Email me my link" page, kept per host: per client address (a few requests a quarter of an hour; over
/// it the page says to wait) and per email address of a store (a few emails an hour; over it the request is dropped
/// without a word, so the page's answer still says nothing about the address). Email addresses are kept only as hashes.
/// </summary>
public sealed class LinkRequestLimits
{
    public const int PerClient = 5;
    public static readonly TimeSpan ClientWindow = TimeSpan.FromMinutes(15);
    public const int PerAddress = 3;
    public static readonly TimeSpan AddressRefill = TimeSpan.FromMinutes(20);

    private readonly PartitionedRateLimiter<IPAddress> _clients = PartitionedRateLimiter.Create<IPAddress, IPAddress>(ip =>
        RateLimitPartition.GetTokenBucketLimiter(ip, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = PerClient, TokensPerPeriod = PerClient, ReplenishmentPeriod = ClientWindow, QueueLimit = 0, AutoReplenishment = true,
        }));

    private readonly PartitionedRateLimiter<string> _addresses = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = PerAddress, TokensPerPeriod = 1, ReplenishmentPeriod = AddressRefill, QueueLimit = 0, AutoReplenishment = true,
        }));

    public bool ClientMayAsk(IPAddress? client)
    {
        using var lease = _clients.AttemptAcquire(PublicRateLimitAttribute.ClientOf(client));
        return lease.IsAcquired;
    }

    public bool AddressMayReceive(string storeId, string email)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(storeId + "\n" + email.Trim().ToLowerInvariant())));
        using var lease = _addresses.AttemptAcquire(key);
        return lease.IsAcquired;
    }
}

/// <summary>Works through <see cref="LinkRequestQueue"/> one request at a time; a failure is logged and the next one goes on.</summary>
public sealed class LinkRequestWorker(LinkRequestQueue queue, IServiceScopeFactory scopes, ILogger<LinkRequestWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var found = await scope.ServiceProvider.GetRequiredService<LinkRequests>().SendAsync(request.StoreId, request.Email, stoppingToken);
                // The address stays out of the log: the count is enough to follow what happened.
                logger.LogInformation("Link request for store {StoreId}: {Count} contract(s) answered by email", request.StoreId, found);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "A link request for store {StoreId} failed", request.StoreId);
            }
        }
    }
}
