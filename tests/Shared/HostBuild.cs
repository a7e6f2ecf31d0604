using System.Net;
using System.Net.Sockets;

namespace BTCPayServer.Plugins.Escrow.Tests.Shared;

/// <summary>
/// Where the standalone host's build output is, for the projects that run it as a child process (browser tests, fault
/// tests, benchmarks), and a free loopback port for it. Linked into each of them (one copy, see tests/Shared).
/// </summary>
internal static class HostBuild
{
    /// <summary>The host project folder (content root: node_modules/bootstrap) and its built dll of the caller's configuration.</summary>
    public static (string ProjectDir, string Dll) Locate()
    {
        // The calling assembly lives in <project>/bin/<Configuration>/<tfm>/.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent?.Name ?? "Debug";
        var projectDir = Path.Combine(RepositoryRoot(), "Plugins", "BTCPayServer.Plugins.Escrow.Host");
        var dll = Path.Combine(projectDir, "bin", configuration, tfmDir.Name, "BTCPayServer.Plugins.Escrow.Host.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The host is not built: {dll} is missing (build the solution in {configuration}).");
        return (projectDir, dll);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BTCPayServer.Plugins.Escrow.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"No BTCPayServer.Plugins.Escrow.sln above {AppContext.BaseDirectory}.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
