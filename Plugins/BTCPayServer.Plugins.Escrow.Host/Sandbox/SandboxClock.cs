namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The sandbox's clock: real time plus an offset that the sandbox's test endpoint can move forward, so review windows
/// and due dates can be tried out without waiting. Outside the sandbox the host uses TimeProvider.System.
/// </summary>
public sealed class SandboxClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        if (by <= TimeSpan.Zero || by > TimeSpan.FromDays(3650))
            throw new ArgumentOutOfRangeException(nameof(by), "Advance the clock by a positive span of at most ten years.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
