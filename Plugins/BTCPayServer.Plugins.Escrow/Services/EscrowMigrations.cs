using BTCPayServer.Abstractions.Contracts;
using BTCPayServer.Plugins.Escrow.Data;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>Brings the escrow schema up to date. A start-up task: BTCPay runs these before any hosted service starts.</summary>
public sealed class EscrowMigrations(EscrowDbContextFactory contexts) : IStartupTask
{
    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        await using var context = contexts.CreateContext();
        await EscrowDatabase.MigrateAsync(context, cancellationToken);
    }
}
