using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Logging;

/// <summary>
/// The logging EF Core gets: the host's, without EF's own error entries for an expected conflict (another writer saved
/// the same contract first, a row version or a unique key). EF writes each as a 40-line "fail:" with a stack trace;
/// the storage turns it into <see cref="Core.ConcurrencyConflictException"/>, and whoever handles that writes one line.
/// Every other failure is logged as before. EF logs a failed write command (insert, update, delete) without its
/// exception, so it cannot be told apart there: such entries are left out, since the save's own failure entry, which
/// carries the exception, follows each one and is kept unless it is a conflict.
/// Nor EF's entries for a database that is away (<see cref="DatabaseUnavailable"/>): a stack trace per failed statement
/// for as long as it is down, when whoever meets the failure says so in one line (the error page, a worker); nor its
/// connection and transaction error entries, which carry neither the exception nor anything else the failure's own
/// entry does not.
/// </summary>
public sealed class ExpectedConflictsLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    private const string PostgresUniqueViolation = "23505";
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    /// <summary>EF's RelationalEventId.CommandError.</summary>
    private const int CommandError = 20102;

    /// <summary>EF's RelationalEventId.ConnectionError and TransactionError.</summary>
    private const int ConnectionError = 20004, TransactionError = 20205;

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The host's logger factory belongs to the host, which disposes it.
    public void Dispose() { }

    public static bool IsExpectedConflict(Exception? exception) => exception switch
    {
        null => false,
        DbUpdateConcurrencyException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        DbException db when db.SqlState == PostgresUniqueViolation => true,
        _ => IsExpectedConflict(exception.InnerException),
    };

    private static bool IsWrite(string message)
    {
        // "Failed executing DbCommand (3ms) [Parameters=...]" then the SQL on the next line.
        var sql = message[(message.IndexOf('\n') + 1)..].TrimStart();
        return sql.StartsWith("INSERT ", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE ", StringComparison.OrdinalIgnoreCase)
            || sql.StartsWith("DELETE ", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && (IsExpectedConflict(exception) || DatabaseUnavailable.In(exception)
                    || eventId.Id is ConnectionError or TransactionError
                    || eventId.Id == CommandError && IsWrite(formatter(state, exception))))
                return;
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
