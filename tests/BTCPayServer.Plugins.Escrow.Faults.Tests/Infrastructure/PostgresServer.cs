using System.Diagnostics;
using BTCPayServer.Plugins.Escrow.Tests.Shared;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the fault tests' own (initdb in a temp folder, a free loopback port, trust for the role
/// <c>escrow</c>), so they can stop, restart and kill it without touching the shared server other suites use.
/// initdb refuses root: as root the server runs as <c>postgres</c>, which then owns the folder.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Role = "escrow";

    private readonly string _bin;
    private readonly string _root;
    private readonly string? _runAs;

    private PostgresServer(string bin, string root, int port, string? runAs)
    {
        _bin = bin;
        _root = root;
        Port = port;
        _runAs = runAs;
    }

    public int Port { get; }
    private string DataDir => Path.Combine(_root, "data");
    public string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Every fault this server went through, in order (for messages).</summary>
    public List<string> Faults { get; } = [];

    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin (.ci/run installs them).");
        var root = Path.Combine(Path.GetTempPath(), $"escrow-faults-pg-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var server = new PostgresServer(bin, root, HostBuild.FreePort(), runAs);
        try
        {
            if (runAs is not null)
                await server.RunAsync("chown", ["-R", runAs, root], asServer: false);
            await server.RunAsync(Path.Combine(bin, "initdb"), ["-D", server.DataDir, "-U", Role, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
            await File.AppendAllTextAsync(Path.Combine(server.DataDir, "postgresql.conf"), $"""

                port = {server.Port}
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '{root}'
                max_connections = 60
                shared_buffers = 16MB
                fsync = off
                full_page_writes = off
                logging_collector = off

                """);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Role};Database={database};Timeout=5;Command Timeout=15";

    public async Task StartAsync()
    {
        await PgCtlAsync("start", "-w", "-t", "30", "-l", LogFile);
    }

    /// <summary>Stops the server: <c>fast</c> ends every session cleanly, <c>immediate</c> is a crash (recovery at the next start).</summary>
    public async Task StopAsync(string mode)
    {
        Faults.Add($"stop -m {mode}");
        await PgCtlAsync("stop", "-w", "-t", "30", "-m", mode);
    }

    public async Task RestartAsync(string mode)
    {
        Faults.Add($"restart -m {mode}");
        await PgCtlAsync("restart", "-w", "-t", "30", "-m", mode, "-l", LogFile);
    }

    /// <summary>Kills every other session on <paramref name="database"/> with pg_terminate_backend; answers how many.</summary>
    public async Task<int> TerminateBackendsAsync(string database, bool record = true)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("db", database);
        var killed = (int)(await command.ExecuteScalarAsync())!;
        if (record)
            Faults.Add($"pg_terminate_backend × {killed}");
        return killed;
    }

    /// <summary>Kills every session on <paramref name="database"/> every <paramref name="every"/> until the answer is disposed.</summary>
    public IAsyncDisposable KillSessionsContinuously(string database, TimeSpan every) => new SessionKiller(this, database, every);

    private sealed class SessionKiller : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _killing;

        public SessionKiller(PostgresServer server, string database, TimeSpan every)
        {
            server.Faults.Add($"pg_terminate_backend every {every.TotalMilliseconds} ms");
            var token = _stop.Token;
            _killing = Task.Run(async () =>
            {
                while (!token.IsCancellationRequested)
                {
                    try
                    {
                        await server.TerminateBackendsAsync(database, record: false);
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                    {
                        // the server is being restarted meanwhile
                    }
                    await Task.Delay(every, CancellationToken.None);
                }
            }, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _killing;
            _stop.Dispose();
        }
    }

    /// <summary>One value from <paramref name="database"/> (a fresh connection, no pool).</summary>
    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
                await PgCtlAsync("stop", "-w", "-t", "30", "-m", "immediate");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // the temp folder is cleaned later
        }
    }

    private Task PgCtlAsync(params string[] arguments) => RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, .. arguments]);

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServer = true)
    {
        var start = new ProcessStartInfo(asServer && _runAs is not null ? "runuser" : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        if (asServer && _runAs is not null)
        {
            foreach (var a in new[] { "-u", _runAs, "--", program })
                start.ArgumentList.Add(a);
        }
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        // pg_ctl start leaves the server holding its own output: read to the end only what pg_ctl itself wrote.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout}{await stderr}");
    }
}
