using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

public static class SandboxWalletSnapshot
{
    /// <summary>Everything a refused wallet or signer request must leave as it was: the chain's height, its journal and the signer's keys.</summary>
    public static async Task<string> SandboxWalletSnapshotAsync(this EscrowApp app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<SandboxWalletDbContext>>().CreateDbContextAsync();
        var last = await db.ChainRecords.OrderByDescending(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync();
        var height = app.Services.GetRequiredService<SandboxChainStore>().Chain.Height;
        return $"height {height} | records {await db.ChainRecords.CountAsync()} last {last} | keys {await db.SignerKeys.CountAsync()}";
    }
}
