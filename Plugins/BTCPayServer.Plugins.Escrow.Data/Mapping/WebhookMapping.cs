using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>The standalone host's webhook endpoints, per store.</summary>
internal sealed class WebhookMapping : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> b)
    {
        b.ToTable("Webhooks");
        b.HasKey(w => w.Id);
        b.Property(w => w.Id).HasMaxLength(32).ValueGeneratedNever();
        b.Property(w => w.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
        b.Property(w => w.Url).HasMaxLength(WebhookSubscription.MaxUrlLength + 100);
        b.Property(w => w.Secret).HasMaxLength(WebhookSubscription.MaxSecretLength);
        b.Property(w => w.Events).HasMaxLength(2000);
        b.Ignore(w => w.EventTypes);
        b.HasIndex(w => w.StoreId);
    }
}

/// <summary>The webhook outbox: one row per delivery, its payload fixed when planned.</summary>
internal sealed class WebhookDeliveryMapping : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("WebhookDeliveries");
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).HasMaxLength(32).ValueGeneratedNever();
        b.Property(d => d.WebhookId).HasMaxLength(32);
        b.Property(d => d.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
        b.Property(d => d.EventType).HasMaxLength(64);
        b.Property(d => d.EventKey).HasMaxLength(100);
        b.Property(d => d.Status).HasConversion<string>().HasMaxLength(32);
        b.Property(d => d.LastError).HasMaxLength(WebhookDelivery.MaxErrorLength + 10);
        // One delivery per event and endpoint: an event published twice is stored once.
        b.HasIndex(d => new { d.WebhookId, d.EventKey }).IsUnique();
        b.HasIndex(d => new { d.WebhookId, d.CreatedAt });
        b.HasIndex(d => d.NextAttemptAt).HasDatabaseName("IX_WebhookDeliveries_Pending_NextAttemptAt")
            .HasFilter($"\"Status\" = '{nameof(WebhookDeliveryStatus.Pending)}'");
    }
}
