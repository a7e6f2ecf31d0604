using System.Diagnostics;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// Where start-up time goes, for measuring it (issue 16): with the environment variable ESCROW_STARTUP_TIMINGS=1 the
/// host writes one line per phase to standard error, with the time since the process started and the phase's own
/// time. Off (nothing measured, nothing written) otherwise.
/// </summary>
public static class StartupTimings
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("ESCROW_STARTUP_TIMINGS") == "1";
    private static readonly DateTime ProcessStart = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    /// <summary>Notes that <paramref name="phase"/> has ended now.</summary>
    public static void Mark(string phase)
    {
        if (Enabled)
            Console.Error.WriteLine($"startup-timing {(DateTime.UtcNow - ProcessStart).TotalMilliseconds,7:F0} ms since process start: {phase}");
    }

    private static int _answered;

    /// <summary>Notes the first answer (later ones cost a read). No path: a party link carries its secret in it.</summary>
    public static void Answered()
    {
        if (Enabled && Volatile.Read(ref _answered) == 0 && Interlocked.Exchange(ref _answered, 1) == 0)
            Mark("first answer");
    }

    /// <summary>Runs <paramref name="work"/> and notes its own duration under <paramref name="phase"/>.</summary>
    public static async Task Time(string phase, Func<Task> work)
    {
        if (!Enabled)
        {
            await work();
            return;
        }
        var watch = Stopwatch.StartNew();
        await work();
        Mark($"{phase} done (took {watch.Elapsed.TotalMilliseconds:F0} ms)");
    }
}
