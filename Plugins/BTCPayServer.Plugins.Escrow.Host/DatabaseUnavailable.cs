using System.Data.Common;

namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// Tells a failure caused by the database being away (refused or cut connections, a server shutting down or starting
/// up: what ADO.NET providers mark transient) from any other failure.
/// </summary>
public static class DatabaseUnavailable
{
    public static bool In(Exception? error) => Find(error) is not null;

    /// <summary>The provider's message (no data of the request in it): "57P01: terminating connection due to administrator command".</summary>
    public static string Reason(Exception? error) => Find(error) is { } e ? $"{e.GetType().Name}: {e.Message}" : "";

    private static DbException? Find(Exception? error)
    {
        for (var depth = 0; error is not null && depth < 10; depth++)
        {
            if (error is DbException { IsTransient: true } db)
                return db;
            error = error is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerExceptions[0] : error.InnerException;
        }
        return null;
    }
}
