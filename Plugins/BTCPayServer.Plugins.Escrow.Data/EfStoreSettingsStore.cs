using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>One row per store holding its settings as JSON: they are read and written whole, never queried by field.</summary>
public sealed class StoreSettingsRow
{
    public string StoreId { get; set; } = "";
    public string Json { get; set; } = "{}";
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class EfStoreSettingsStore(Func<EscrowDbContext> createContext, TimeProvider clock) : IStoreSettingsStore
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public async Task<StoreEscrowSettings> GetAsync(string storeId, CancellationToken cancellationToken)
    {
        await using var db = createContext();
        var row = await db.StoreSettings.AsNoTracking().FirstOrDefaultAsync(r => r.StoreId == storeId, cancellationToken);
        return row is null ? StoreEscrowSettings.Default : JsonSerializer.Deserialize<StoreEscrowSettings>(row.Json, Json) ?? StoreEscrowSettings.Default;
    }

    public async Task SaveAsync(string storeId, StoreEscrowSettings settings, CancellationToken cancellationToken)
    {
        var valid = settings.Validated();
        await using var db = createContext();
        var row = await db.StoreSettings.FirstOrDefaultAsync(r => r.StoreId == storeId, cancellationToken);
        if (row is null)
            db.StoreSettings.Add(row = new StoreSettingsRow { StoreId = storeId });
        row.Json = JsonSerializer.Serialize(valid, Json);
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }
}
