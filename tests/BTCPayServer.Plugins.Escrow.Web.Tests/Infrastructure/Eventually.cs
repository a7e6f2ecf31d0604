namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// Waits for the background worker to do something. The bound is generous on purpose: it is there to end a test that
/// would otherwise hang, not to measure speed (a loaded CI machine runs several test projects on two cores at once).
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Probes until <paramref name="done"/> holds and returns the last value; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTimeOffset.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Waited {Patience.TotalSeconds} s in vain: {what}.");
            await Task.Delay(100);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what) => UntilAsync(condition, done => done, what);
}
