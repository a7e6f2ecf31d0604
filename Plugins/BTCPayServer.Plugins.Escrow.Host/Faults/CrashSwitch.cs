using System.Diagnostics;
using System.Reflection;
using BTCPayServer.Plugins.Escrow.Core.Faults;

namespace BTCPayServer.Plugins.Escrow.Host.Faults;

/// <summary>
/// TEST-ONLY. Arms <see cref="CrashPoints"/> so that the process kills itself (SIGKILL: no shutdown, no disposal, nothing after the point) the
/// n-th time it reaches a named point; the fault tests then restart the host on the same data and check that nothing
/// was lost or doubled. It is armed only by the explicit setting <c>Escrow:CrashAt</c> (<c>ESCROW__CRASHAT</c>) of the
/// form <c>point</c> or <c>point#n</c>, only with the sandbox gateway (never with real payments), and an unknown point
/// name stops the host at start-up instead of never firing. Without the setting nothing is installed.
/// </summary>
public static class CrashSwitch
{
    public const string Setting = "Escrow:CrashAt";

    /// <summary>Every point a test may name: the constants of Core's <see cref="CrashPoints"/> and of the sandbox's.</summary>
    public static readonly IReadOnlySet<string> KnownPoints = new[] { typeof(CrashPoints), typeof(Sandbox.SandboxCrashPoints) }
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Installs the hook when <see cref="Setting"/> is set; returns what was armed (for the start-up line), or null.</summary>
    public static string? InstallFrom(IConfiguration configuration, bool sandbox)
    {
        var spec = configuration[Setting]?.Trim();
        if (string.IsNullOrEmpty(spec))
            return null;
        if (!sandbox)
            throw new InvalidOperationException($"{Setting} is a test-only crash switch and works only with the sandbox gateway.");
        var (point, occurrence) = Parse(spec);
        var reached = 0;
        CrashPoints.Hook = name =>
        {
            if (name != point || Interlocked.Increment(ref reached) != occurrence)
                return;
            // Names a point and a count, nothing else: the tests look for this line to know where the process died.
            Console.Error.WriteLine($"CRASH SWITCH: killing the process at {point}#{occurrence}");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite); // never return into the code after the point
        };
        return $"{point}#{occurrence}";
    }

    public static (string Point, int Occurrence) Parse(string spec)
    {
        var parts = spec.Split('#');
        var point = parts[0].Trim();
        var occurrence = 1;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out occurrence) || occurrence < 1)) || !KnownPoints.Contains(point))
            throw new InvalidOperationException(
                $"{Setting} must be <point> or <point>#<n> (n ≥ 1) with a known point: {string.Join(", ", KnownPoints.Order(StringComparer.Ordinal))}.");
        return (point, occurrence);
    }
}
