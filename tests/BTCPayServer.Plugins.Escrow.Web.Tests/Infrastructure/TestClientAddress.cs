using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// TestServer gives every request the same (missing) remote address. Each test browser names its own loopback
/// address in a header, and this sets it as the connection's, the way Kestrel would for separate clients.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";
    private static int _next;

    /// <summary>A fresh loopback address (127.1.x.y) for a new test browser.</summary>
    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, 1, (byte)(n / 250 % 250), (byte)(n % 250 + 1)]);
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value, out var address))
                context.Connection.RemoteIpAddress = address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
