using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// Keeps what the host logs at <paramref name="minimum"/> or above (Error by default), with the exception, so a test can
/// show why a request failed or read every line the host wrote (the host's own level filters still apply).
/// </summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> entries, LogLevel minimum = LogLevel.Error) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries, minimum);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> entries, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
