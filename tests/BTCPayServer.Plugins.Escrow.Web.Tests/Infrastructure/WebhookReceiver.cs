using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>A real HTTP endpoint on loopback (Kestrel) that records every webhook request; it can be stopped and started again on the same port.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string DeliveryId, string Type, string Body, string? Signature)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    private WebApplication? _app;

    public WebhookReceiver()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }
    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url(string path = "hook") => $"http://127.0.0.1:{Port}/{path}";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext context, string path) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            using var json = JsonDocument.Parse(body);
            Requests.Enqueue(new Received(path, json.RootElement.GetProperty("deliveryId").GetString()!, json.RootElement.GetProperty("type").GetString()!,
                body, context.Request.Headers["BTCPay-Sig"].FirstOrDefault()));
            return Results.Ok();
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
