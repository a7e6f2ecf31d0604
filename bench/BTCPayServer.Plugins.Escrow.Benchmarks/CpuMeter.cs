using System.Diagnostics;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>
/// CPU spent during a phase, read from /proc: this process, every PostgreSQL process (the server's backends do the
/// work of each statement), and the whole machine. The rest of the machine's busy time is whatever else ran (pgbench's
/// own client while it runs).
/// </summary>
public sealed class CpuMeter
{
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ: 100 on Linux

    private readonly TimeSpan _self;
    private readonly double _postgresMs;
    private readonly double _machineBusyMs;

    private CpuMeter(TimeSpan self, double postgresMs, double machineBusyMs) =>
        (_self, _postgresMs, _machineBusyMs) = (self, postgresMs, machineBusyMs);

    public static CpuMeter Start() => new(Process.GetCurrentProcess().TotalProcessorTime, PostgresMs(), MachineBusyMs());

    /// <summary>Milliseconds of CPU since <see cref="Start"/>: this process, PostgreSQL, everything else.</summary>
    public (double Self, double Postgres, double Other) Stop()
    {
        var self = (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalMilliseconds;
        var postgres = PostgresMs() - _postgresMs;
        var machine = MachineBusyMs() - _machineBusyMs;
        return (self, postgres, Math.Max(0, machine - self - postgres));
    }

    /// <summary>Whether /proc can be read here (Linux); the CPU rows are left out otherwise.</summary>
    public static bool Available => File.Exists("/proc/stat");

    private static double PostgresMs()
    {
        if (!Available)
            return 0;
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
                    continue;
                // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += double.Parse(fields[11]) + double.Parse(fields[12]);
            }
            catch (IOException)
            {
                // The backend ended while being read: its time is lost to both readings alike (one connection's worth).
            }
        }
        return ticks * TickMs;
    }

    private static double MachineBusyMs()
    {
        if (!Available)
            return 0;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
        // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
        var busy = cpu.Take(8).Sum() - cpu[3] - cpu[4];
        return busy * TickMs;
    }
}
