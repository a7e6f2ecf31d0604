using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// The idempotency key of an inbound event, written next to the contract's JSON list of processed events in the same
/// transaction. Its primary key is the event id across all contracts, so two writers applying the same event cannot
/// both commit: the second fails and is reported as a concurrency conflict. Never read to load a contract.
/// </summary>
public sealed class ProcessedEventRow
{
    public string EventId { get; init; } = "";
    public Guid ContractId { get; init; }
    public InboundEventKind Kind { get; init; }
    public DateTimeOffset ProcessedAt { get; init; }
}

internal sealed class ProcessedEventRowMapping : IEntityTypeConfiguration<ProcessedEventRow>
{
    public const int MaxEventIdLength = 200;

    public void Configure(EntityTypeBuilder<ProcessedEventRow> b)
    {
        b.ToTable("ProcessedEvents");
        b.HasKey(e => e.EventId);
        b.Property(e => e.EventId).HasMaxLength(MaxEventIdLength);
        b.HasOne<Contract>().WithMany().HasForeignKey(e => e.ContractId).OnDelete(DeleteBehavior.Cascade);
    }
}
