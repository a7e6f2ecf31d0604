using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>
/// Counts what the storage sends the server: each executed command (one round trip, however many statements it
/// batches) and each commit (one more), whether EF sent it or the hand-written contract path (its own event id; its
/// saves commit within their one batch). A figure of the storage shape that does not move with the machine's load.
/// </summary>
public sealed class StatementCounter : ILoggerFactory, ILoggerProvider, ILogger
{
    private long _commands;
    private long _commits;

    public long Commands => Interlocked.Read(ref _commands);
    public long Commits => Interlocked.Read(ref _commits);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == RelationalEventId.CommandExecuted.Id || eventId.Id == Data.Postgres.ContractRowsEvents.BatchExecuted.Id)
            Interlocked.Increment(ref _commands);
        else if (eventId.Id == RelationalEventId.TransactionCommitted.Id)
            Interlocked.Increment(ref _commits);
    }

    public bool IsEnabled(LogLevel logLevel) => true;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
}
