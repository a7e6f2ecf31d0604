using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Data.Mapping;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// The one model of escrow storage, shared by both providers. Each provider has a subclass
/// (<see cref="Postgres.PostgresEscrowDbContext"/> here; SqliteEscrowDbContext in BTCPayServer.Plugins.Escrow.Data.Sqlite,
/// which only the standalone host references) that adds only what differs (schema, row version, time storage, driver
/// errors) and owns its own migrations.
/// </summary>
public abstract class EscrowDbContext : DbContext
{
    protected EscrowDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<Contract> Contracts => Set<Contract>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<PayoutInstruction> PayoutInstructions => Set<PayoutInstruction>();
    public DbSet<FundingInvoice> FundingInvoices => Set<FundingInvoice>();
    public DbSet<PartyTokenRow> PartyTokens => Set<PartyTokenRow>();
    public DbSet<ProcessedEventRow> ProcessedEvents => Set<ProcessedEventRow>();
    public DbSet<StoreSettingsRow> StoreSettings => Set<StoreSettingsRow>();
    public DbSet<Core.Webhooks.WebhookSubscription> Webhooks => Set<Core.Webhooks.WebhookSubscription>();
    public DbSet<Core.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Core.Webhooks.WebhookDelivery>();
    public DbSet<Core.Notifications.OutgoingEmail> OutgoingEmails => Set<Core.Notifications.OutgoingEmail>();
    public DbSet<Core.Api.IdempotencyRecord> IdempotencyKeys => Set<Core.Api.IdempotencyRecord>();
    public DbSet<EscrowIndexCounterRow> EscrowIndexCounters => Set<EscrowIndexCounterRow>();

    /// <summary>
    /// Whether the driver's error says a unique key or primary key was already taken. Each provider answers for its own
    /// driver, so the shared code never names (and never loads) another provider's assembly.
    /// </summary>
    public abstract bool IsUniqueViolation(DbException error);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EscrowDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: rows stay readable in SQL and survive reordering of the enum members.
        AsText<ContractState>(configurationBuilder);
        AsText<FeePayer>(configurationBuilder);
        AsText<FxPolicy>(configurationBuilder);
        AsText<OverpaymentHandling>(configurationBuilder);
        AsText<PartyRole>(configurationBuilder);
        AsText<MilestoneState>(configurationBuilder);
        AsText<ReviewEntryKind>(configurationBuilder);
        AsText<InvoiceStatus>(configurationBuilder);
        AsText<PaymentStatus>(configurationBuilder);
        AsText<InboundEventKind>(configurationBuilder);
        AsText<PayoutKind>(configurationBuilder);
        AsText<PayoutStatus>(configurationBuilder);
        AsText<DisputeStatus>(configurationBuilder);
        AsText<ProposalStatus>(configurationBuilder);
        AsText<ActorRole>(configurationBuilder);
        AsText<CustodyMode>(configurationBuilder);
    }

    private static void AsText<TEnum>(ModelConfigurationBuilder builder) where TEnum : struct, Enum =>
        builder.Properties<TEnum>().HaveConversion<string>().HaveMaxLength(32);
}
