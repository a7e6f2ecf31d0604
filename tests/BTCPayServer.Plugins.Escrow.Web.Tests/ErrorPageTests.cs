using System.Net;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The host with one test-only path that fails the way a bug would: an exception naming source paths.</summary>
public sealed class FailingEscrowApp : EscrowApp
{
    public const string FailingPath = "/test-only/fail";
    public const string Secret = "/home/dev/src/Escrow/SecretFile.cs";

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, Thrower>());

    /// <summary>Added after the host's own pipeline, so its error handling is what answers.</summary>
    private sealed class Thrower : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((context, nextMiddleware) => context.Request.Path == FailingPath
                ? throw new InvalidOperationException($"Boom at {Secret}:42")
                : nextMiddleware(context));
        };
    }
}

public sealed class ErrorPageTests(FailingEscrowApp app) : IClassFixture<FailingEscrowApp>
{
    [Fact]
    public async Task A_failure_shows_a_friendly_page_with_a_reference_that_the_log_holds_next_to_the_exception()
    {
        var client = app.Factory.CreateClient();
        var answer = await client.GetAsync(FailingEscrowApp.FailingPath);
        var body = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Something went wrong", body);
        var reference = new Page(answer.StatusCode, answer.RequestMessage!.RequestUri!, body, "text/html", null, answer).Text("#ErrorReference");
        Assert.Matches("^[0-9a-f]{12}$", reference);
        foreach (var leak in new[] { "Boom", FailingEscrowApp.Secret, "InvalidOperationException", " at " })
            Assert.DoesNotContain(leak, body);

        var logged = Assert.Single(app.LoggedErrors, e => e.Contains(reference));
        Assert.Contains("Boom", logged);
        // One entry per failure, the one with the reference.
        Assert.Single(app.LoggedErrors, e => e.Contains("Boom"));
    }

    [Fact]
    public async Task A_json_client_gets_problem_details_with_the_reference()
    {
        var client = app.Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, FailingEscrowApp.FailingPath);
        request.Headers.Accept.ParseAdd("application/json");
        var answer = await client.SendAsync(request);
        var body = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var reference = JsonDocument.Parse(body).RootElement.GetProperty("reference").GetString()!;
        Assert.Contains(app.LoggedErrors, e => e.Contains(reference));
        Assert.DoesNotContain("Boom", body);
    }

    [Fact]
    public void Dotnet_run_starts_the_host_as_production()
    {
        // The first profile is what `dotnet run` uses: it must not switch on the developer error page.
        var path = Path.Combine(HostBuild.RepositoryRoot(), "Plugins", "BTCPayServer.Plugins.Escrow.Host", "Properties", "launchSettings.json");
        var first = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("profiles").EnumerateObject().First().Value;
        var environment = first.TryGetProperty("environmentVariables", out var variables) ? variables.EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString()) : [];
        Assert.False(environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") is { } a && a != "Production", $"dotnet run would start as {environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT")}");
        Assert.False(environment.GetValueOrDefault("DOTNET_ENVIRONMENT") is { } d && d != "Production");
    }
}
