using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// Recognises the save failures that mean "another writer got there first". Which driver error is a unique violation
/// is the provider's to say (<see cref="EscrowDbContext.IsUniqueViolation"/>): this assembly names no driver's
/// exception type but Npgsql's, so nothing here loads SQLite inside BTCPay.
/// </summary>
internal static class SaveErrors
{
    /// <summary>
    /// The row version did not match, or a unique key (a processed event id, a payout key, an audit sequence) was
    /// already taken: another writer saved the same contract, event or decision first.
    /// </summary>
    public static bool IsConflict(DbUpdateException exception, EscrowDbContext db) =>
        exception is DbUpdateConcurrencyException || IsUniqueViolation(exception.InnerException, db);

    public static bool IsUniqueViolation(Exception? exception, EscrowDbContext db) => exception switch
    {
        DbException driverError => db.IsUniqueViolation(driverError),
        null => false,
        _ => IsUniqueViolation(exception.InnerException, db),
    };
}
