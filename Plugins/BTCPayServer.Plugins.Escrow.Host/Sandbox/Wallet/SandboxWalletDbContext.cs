using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The sandbox chain and the sandbox signer's keys, in a small SQLite file of their own per network
/// (data/sandbox-wallet-regtest.db): apart from sandbox.db, whose tables are created once and never altered, and apart
/// from the escrow database, because a chain and test keys are not the escrow's to store.
/// </summary>
public sealed class SandboxWalletDbContext(DbContextOptions<SandboxWalletDbContext> options) : DbContext(options)
{
    public DbSet<SandboxChainRecord> ChainRecords => Set<SandboxChainRecord>();
    public DbSet<SandboxSignerKey> SignerKeys => Set<SandboxSignerKey>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<SandboxChainRecord>(e =>
        {
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).ValueGeneratedOnAdd();
            e.Property(r => r.Change).HasConversion<string>();
            e.HasIndex(r => r.TxId);
        });
        b.Entity<SandboxSignerKey>(e =>
        {
            e.HasKey(k => k.Id);
            e.HasIndex(k => k.Role);
        });
    }
}

/// <summary>One change of the sandbox chain, in the order the chain made it (<see cref="Id"/>): its journal.</summary>
public sealed class SandboxChainRecord
{
    public long Id { get; set; }
    public Core.NonCustodial.SandboxChainChange Change { get; set; }
    /// <summary>The transaction of a funded or accepted change, hex; null for mined blocks.</summary>
    public string? TransactionHex { get; set; }
    public string? TxId { get; set; }
    public int Blocks { get; set; }
    public DateTime RecordedAt { get; set; }
}

/// <summary>
/// A throwaway HD key of the sandbox signer, for demos only: its private master key is stored here in clear, which is
/// exactly why it exists only in the sandbox and must never hold real bitcoin.
/// </summary>
public sealed class SandboxSignerKey
{
    public string Id { get; set; } = "";
    public string Role { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    /// <summary>What the party pastes into the escrow: <c>[fingerprint/84'/1'/0']tpub…</c>.</summary>
    public string AccountKey { get; set; } = "";
    /// <summary>TEST ONLY: the master private key (tprv), kept so the sandbox can sign.</summary>
    public string TestOnlyMasterKey { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
