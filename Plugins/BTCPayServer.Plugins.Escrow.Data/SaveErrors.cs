using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>Recognises, portably, the save failures that mean "another writer got there first".</summary>
internal static class SaveErrors
{
    private const string PostgresUniqueViolation = "23505";
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>
    /// The row version did not match, or a unique key (a processed event id, a payout key, an audit sequence) was
    /// already taken: another writer saved the same contract, event or decision first.
    /// </summary>
    public static bool IsConflict(DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException || IsUniqueViolation(exception.InnerException);

    public static bool IsUniqueViolation(Exception? exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState == PostgresUniqueViolation,
        // SQLite reports every constraint (including an aborting trigger) as error 19; the extended code says which.
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
            && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        DbException => false,
        null => false,
        _ => IsUniqueViolation(exception.InnerException),
    };
}
