using System.Diagnostics;
using System.Net;
using System.Text;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

/// <summary>
/// One run of the standalone host as a child process (its built dll, the host project folder as content root, sandbox
/// gateway, SQLite in <see cref="DataDir"/>), optionally with the test-only crash switch armed. A fresh port each run.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    public const string AdminEmail = "agency@faults.test";
    public const string AdminPassword = "fault-tests-agency-password";
    public const string StoreId = "faults";
    /// <summary>The line the crash switch writes just before the process kills itself.</summary>
    public const string CrashLine = "CRASH SWITCH: killing the process at ";

    private readonly StringBuilder _log = new();
    private readonly Process _process;
    private int _disposed;

    private HostProcess(Process process, string baseUrl, string dataDir)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDir = dataDir;
    }

    public string BaseUrl { get; }
    public string DataDir { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts the host on <paramref name="dataDir"/> (and <paramref name="postgres"/>, if given) and waits until it answers.</summary>
    public static async Task<HostProcess> StartAsync(string dataDir, string? crashAt, string? postgres = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = Launch(dataDir, crashAt, postgres);
            try
            {
                await host.WaitUntilAnsweringAsync();
                return host;
            }
            catch (InvalidOperationException) when (attempt < 3 && host.Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another test's host took the free port between the look-up and the bind: take another.
                await host.DisposeAsync();
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    private static HostProcess Launch(string dataDir, string? crashAt, string? postgres)
    {
        var (projectDir, dll) = HostBuild.Locate();
        var baseUrl = $"http://127.0.0.1:{HostBuild.FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ESCROW__DATADIR"] = dataDir;
        start.Environment["ESCROW__ADMINEMAIL"] = AdminEmail;
        start.Environment["ESCROW__ADMINPASSWORD"] = AdminPassword;
        start.Environment["ESCROW__STOREID"] = StoreId;
        start.Environment["ESCROW__WORKERINTERVALSECONDS"] = "0.1";
        // Short-lived hosts, two at a time on two cores: the workstation GC starts lighter than the server GC.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["ESCROW__PUBLICURL"] = baseUrl;
        start.Environment["ESCROW__SANDBOX"] = "true";
        // The restart runs without the switch, whatever this process's own environment says.
        start.Environment.Remove("ESCROW__CRASHAT");
        if (crashAt is not null)
            start.Environment["ESCROW__CRASHAT"] = crashAt;
        start.Environment.Remove("ESCROW__POSTGRES");
        if (postgres is not null)
            start.Environment["ESCROW__POSTGRES"] = postgres;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(process, baseUrl, dataDir);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>True when the process ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    /// <summary>Where the crash switch stopped the process (point#n), from its last line; null if it did not.</summary>
    public string? CrashedAt()
    {
        var line = Log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(CrashLine, StringComparison.Ordinal));
        return line?[CrashLine.Length..];
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // lets the output readers reach the end, so the log holds the reason
                throw new InvalidOperationException($"The escrow host exited with code {_process.ExitCode} before answering.\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync("/login");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The escrow host did not answer at {BaseUrl} within 60 seconds.\n{Log}");
    }
}
