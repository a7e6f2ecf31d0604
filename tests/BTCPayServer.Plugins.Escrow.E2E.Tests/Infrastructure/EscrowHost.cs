using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;

/// <summary>
/// One standalone host (started from its build output as a child process, sandbox gateway, fresh data folder) and one
/// headless Chromium, shared by every test of the collection. Tests stay independent: each drafts its own contract and
/// uses its own browser contexts. Dates are taken from the sandbox clock, which some tests move forward.
/// </summary>
public sealed class EscrowHost : IAsyncLifetime
{
    public const string AdminEmail = "agency@example.com";
    public const string AdminPassword = "e2e-agency-password";
    public const string StoreId = "e2e-store";

    private readonly StringBuilder _log = new();
    private Process? _process;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";
    public string DataDir { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    /// <summary>Where the artifacts (screenshots, host log) of this run go: test output folder/e2e-artifacts.</summary>
    public static string ArtifactsDir { get; } = Path.Combine(AppContext.BaseDirectory, "e2e-artifacts");

    public string HostLog
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task InitializeAsync()
    {
        var (projectDir, dll) = HostBuild.Locate();
        var port = HostBuild.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        DataDir = Path.Combine(Path.GetTempPath(), "escrow-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDir);
        if (Directory.Exists(ArtifactsDir))
            Directory.Delete(ArtifactsDir, recursive: true);
        Directory.CreateDirectory(ArtifactsDir);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ESCROW__DATADIR"] = DataDir;
        start.Environment["ESCROW__ADMINEMAIL"] = AdminEmail;
        start.Environment["ESCROW__ADMINPASSWORD"] = AdminPassword;
        start.Environment["ESCROW__STOREID"] = StoreId;
        start.Environment["ESCROW__WORKERINTERVALSECONDS"] = "0.5";
        start.Environment["ESCROW__PUBLICURL"] = BaseUrl;
        start.Environment["ESCROW__SANDBOX"] = "true";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilAnswering();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Browser is not null)
                await Browser.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // already gone
        }
        _playwright?.Dispose();
        Http?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        await File.WriteAllTextAsync(Path.Combine(ArtifactsDir, "host.log"), HostLog);
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open: the temp folder is cleaned by the OS later
        }
    }

    /// <summary>The sandbox clock's current time (real time plus every advance made so far).</summary>
    public async Task<DateTimeOffset> SandboxNowAsync()
    {
        var clock = await Http.GetFromJsonAsync<ClockReply>("/sandbox/clock");
        return clock!.Now;
    }

    public async Task AdvanceClockAsync(double hours)
    {
        using var response = await Http.PostAsJsonAsync("/sandbox/clock/advance", new { hours });
        Assert.True(response.IsSuccessStatusCode, $"Clock advance answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private sealed record ClockReply(DateTimeOffset Now, double OffsetHours);

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private async Task WaitUntilAnswering()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"The escrow host exited with code {_process.ExitCode} before answering.\n{HostLog}");
            try
            {
                using var response = await Http.GetAsync("/login");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The escrow host did not answer at {BaseUrl} within 60 seconds.\n{HostLog}");
    }
}

[CollectionDefinition(Name)]
public sealed class EscrowHostCollection : ICollectionFixture<EscrowHost>
{
    public const string Name = "Escrow end-to-end";
}
