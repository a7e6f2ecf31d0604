using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// The sandbox gateway's own small SQLite file (data/sandbox.db), apart from the escrow database: it stands for
/// BTCPay's invoices and pull payments, which are not the escrow's to store.
/// </summary>
public sealed class SandboxDbContext(DbContextOptions<SandboxDbContext> options) : DbContext(options)
{
    public DbSet<SandboxInvoice> Invoices => Set<SandboxInvoice>();
    public DbSet<SandboxPayment> Payments => Set<SandboxPayment>();
    public DbSet<SandboxPullPayment> PullPayments => Set<SandboxPullPayment>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<SandboxInvoice>(e =>
        {
            e.HasKey(i => i.Id);
            e.Property(i => i.Status).HasConversion<string>();
            e.HasMany(i => i.Payments).WithOne().HasForeignKey(p => p.InvoiceId);
            e.Ignore(i => i.Paid);
        });
        b.Entity<SandboxPayment>().HasKey(p => p.Id);
        b.Entity<SandboxPullPayment>(e =>
        {
            e.HasKey(p => p.Id);
            e.HasIndex(p => p.Reference).IsUnique();
            e.Property(p => p.Status).HasConversion<string>();
        });
    }
}
