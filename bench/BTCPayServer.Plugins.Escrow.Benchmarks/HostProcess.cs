using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>The standalone host as a child process on loopback, storing in the benchmark's PostgreSQL database.</summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    public const string StoreId = "store-1";
    private const string Email = "bench@example.com";
    private const string Password = "bench-password";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _dataDir;
    private readonly bool _keepDataDir;

    private HostProcess(string connectionString, int port, string? publishedDir, bool logCommands, string? dataDir)
    {
        _keepDataDir = dataDir is not null;
        _dataDir = dataDir ?? Path.Combine(Path.GetTempPath(), $"escrow-bench-{Guid.NewGuid():N}");
        Url = $"http://127.0.0.1:{port}";
        var (hostDir, dll) = publishedDir is null ? HostBuild.Locate() : (publishedDir, Path.Combine(publishedDir, "BTCPayServer.Plugins.Escrow.Host.dll"));
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {Url}")
        {
            WorkingDirectory = hostDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Escrow__Postgres"] = connectionString;
        info.Environment["Escrow__DataDir"] = _dataDir;
        info.Environment["Escrow__StoreId"] = StoreId;
        info.Environment["Escrow__AdminEmail"] = Email;
        info.Environment["Escrow__AdminPassword"] = Password;
        info.Environment["Escrow__PublicUrl"] = Url;
        // The party page is rate limited per client address: the benchmark stands for many clients behind a local proxy
        // (each request names its client in X-Forwarded-For), as a real deployment behind a reverse proxy does.
        info.Environment["Escrow__KnownProxies__0"] = "127.0.0.1";
        // Timers and the outbox would add their own statements to the counts; here they run once, at start.
        info.Environment["Escrow__WorkerIntervalSeconds"] = "3600";
        // Every SQL command is logged, so the benchmark can count the statements one page runs.
        if (logCommands)
        {
            info.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information";
            // Contracts are loaded and saved by hand on PostgreSQL, without EF's command log: their batches are logged here.
            info.Environment[$"Logging__LogLevel__{typeof(Data.Postgres.ContractRowsEvents).Namespace}"] = "Debug";
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };
    }

    public string Url { get; }
    public HttpClient Client { get; }
    public int ProcessId => _process.Id;

    private static string HostProjectDir => HostBuild.Locate().ProjectDir;

    /// <summary>
    /// Publishes the host as it is deployed (Release, ReadyToRun: compiled ahead of time, so start-up does not wait for
    /// the JIT) into a temporary folder, and returns the folder.
    /// </summary>
    public static async Task<string> PublishAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), $"escrow-bench-host-{Guid.NewGuid():N}");
        await IngestionBenchmark.Run("dotnet", $"publish \"{HostProjectDir}\" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o \"{output}\"",
            new Dictionary<string, string>());
        return output;
    }

    /// <summary>
    /// Starts the host (the build output, or a published folder) and returns it with the time from process start to its
    /// first 200. <paramref name="logCommands"/> logs every SQL command, for counting statements (it slows start-up).
    /// </summary>
    /// <paramref name="dataDir"/> (the sandbox's database, keys) is kept after the host stops when given.
    public static async Task<(HostProcess Host, TimeSpan FirstOk)> StartAsync(string connectionString, string? publishedDir = null, bool logCommands = true, string? dataDir = null)
    {
        var watch = Stopwatch.StartNew();
        var host = new HostProcess(connectionString, HostBuild.FreePort(), publishedDir, logCommands, dataDir);
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await host.Client.GetAsync("/login")).StatusCode == HttpStatusCode.OK)
                    return (host, watch.Elapsed);
            }
            catch (HttpRequestException)
            {
            }
            if (host._process.HasExited)
                throw new InvalidOperationException("The host stopped:\n" + string.Join('\n', host._output));
            await Task.Delay(25);
        }
        throw new TimeoutException("The host did not answer within 60 s:\n" + string.Join('\n', host._output));
    }

    public async Task SignInAsync()
    {
        var form = await Client.GetStringAsync("/login");
        var token = TokenPattern().Match(form).Groups[1].Value;
        var response = await Client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = Email, ["Password"] = Password, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode}");
    }

    /// <summary>
    /// How many SQL statements the host ran while <paramref name="request"/> ran: each EF command, and each statement of
    /// the hand-written contract path's batches (a contract load is three statements in one round trip).
    /// </summary>
    public async Task<int> CountStatementsAsync(Func<Task> request)
    {
        await Task.Delay(300);
        _output.Clear();
        await request();
        await Task.Delay(300);
        var count = Statements(_output);
        if (count == 0)
            Console.Error.WriteLine("No SQL command was logged during the request; host output was:\n" + string.Join('\n', _output.TakeLast(20)));
        return count;
    }

    /// <summary>
    /// The SQL statements in lines of the host's log: each EF command, and each statement of the hand-written contract
    /// path's batches (logged with their count; a contract load is three statements in one round trip).
    /// </summary>
    public static int Statements(IEnumerable<string> lines) =>
        lines.Sum(line => line.Contains("Executed DbCommand", StringComparison.Ordinal) ? 1
            : System.Text.RegularExpressions.Regex.Match(line, @"(\d+) statements? in one batch") is { Success: true } batch
                ? int.Parse(batch.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : 0);

    /// <summary>Waits for a line of the host's output; answers every line written up to and including it.</summary>
    public async Task<IReadOnlyList<string>> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var lines = _output.ToArray();
            var at = Array.FindIndex(lines, l => match(l));
            if (at >= 0)
                return lines[..(at + 1)];
            await Task.Delay(50);
        }
        throw new TimeoutException("The host did not write the expected line:\n" + string.Join('\n', _output.TakeLast(30)));
    }

    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>
    /// Where the resident memory is (from /proc/PID/smaps), for the benchmark's log: mapped files by kind, the code the
    /// JIT wrote, and anonymous memory (the GC's heaps, native allocations, thread stacks), in MB.
    /// </summary>
    public string ResidentBreakdown()
    {
        var kinds = new Dictionary<string, long>();
        var kind = "anonymous";
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-') && !line.EndsWith(" kB", StringComparison.Ordinal))
            {
                var path = fields.Length >= 6 ? string.Join(' ', fields[5..]) : "";
                kind = path switch
                {
                    "" => "anonymous",
                    _ when path.Contains("doublemapper") => "JIT code",
                    _ when path.EndsWith(".dll", StringComparison.Ordinal) => "assemblies (.dll)",
                    _ when path.Contains(".so") => "native libraries (.so)",
                    "[heap]" => "native heap",
                    "[stack]" => "anonymous",
                    _ => "other files",
                };
            }
            else if (fields.Length == 3 && fields[0] == "Rss:")
            {
                kinds[kind] = kinds.GetValueOrDefault(kind) + long.Parse(fields[1]);
            }
        }
        return string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value / 1024.0:F0}"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (!_keepDataDir && Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
