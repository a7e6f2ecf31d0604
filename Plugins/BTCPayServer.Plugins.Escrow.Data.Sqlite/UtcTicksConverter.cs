using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>
/// A moment as its UTC ticks: an integer SQLite can compare and order, lossless at any precision. The domain keeps
/// every time in UTC, so reading back with a zero offset returns the value that was written.
/// </summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
