using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>
/// The aggregate's small lists, each a JSON column of the contract row (<c>jsonb</c> on PostgreSQL, JSON text on
/// SQLite): loading a contract reads one row instead of one query per list, and saving it writes that row. The list
/// order is the JSON array's order. What other queries look up by key stays a table: funding invoices (gateway
/// routing, reconciliation), the payout outbox, the audit log, and the two key tables next to their JSON lists
/// (<see cref="ProcessedEventRow"/>, <see cref="PartyTokenRow"/>) that keep event ids and token hashes unique.
/// </summary>
internal static class ContractJson
{
    /// <remarks>
    /// EF maps a complex collection only through an <c>IList</c>: the lists are mapped through the aggregate's backing
    /// fields, and its read-only views are ignored.
    /// </remarks>
    public static void Map(EntityTypeBuilder<Contract> b)
    {
        b.Ignore(c => c.Milestones);
        b.Ignore(c => c.TermsVersions);
        b.Ignore(c => c.Disputes);
        b.Ignore(c => c.Payments);
        b.Ignore(c => c.Allocations);
        b.Ignore(c => c.ProcessedEvents);
        b.Ignore(c => c.PartyAccess);
        b.ComplexCollection<List<Milestone>, Milestone>("_milestones", m =>
        {
            m.ToJson("Milestones");
            m.ComplexProperty(x => x.Amount);
            m.ComplexProperty(x => x.ClientFee);
            m.ComplexProperty(x => x.Funded);
            m.ComplexProperty(x => x.FundedBtc);
            m.ComplexProperty(x => x.ReleasedToFreelancer);
            m.ComplexProperty(x => x.FeesRetained);
            m.ComplexProperty(x => x.RefundedToClient);
            m.Ignore(x => x.ReviewEntries);
            m.ComplexCollection<List<ReviewEntry>, ReviewEntry>("_reviewEntries", r => r.HasJsonPropertyName("ReviewEntries"));
        });
        b.ComplexCollection<List<TermsVersion>, TermsVersion>("_termsVersions", v =>
        {
            v.ToJson("TermsVersions");
            v.Ignore(x => x.AcceptedByBoth);
        });
        b.ComplexCollection<List<Dispute>, Dispute>("_disputes", d =>
        {
            d.ToJson("Disputes");
            d.ComplexProperty(x => x.FreelancerShare);
            d.Ignore(x => x.OpenProposal);
            d.Ignore(x => x.IsActive);
            d.Ignore(x => x.Messages);
            d.Ignore(x => x.Proposals);
            d.ComplexCollection<List<DisputeMessage>, DisputeMessage>("_messages", r => r.HasJsonPropertyName("Messages"));
            d.ComplexCollection<List<SplitProposal>, SplitProposal>("_proposals", p =>
            {
                p.HasJsonPropertyName("Proposals");
                p.ComplexProperty(x => x.FreelancerAmount);
            });
        });
        b.ComplexCollection<List<LedgerPayment>, LedgerPayment>("_payments", p =>
        {
            p.ToJson("Payments");
            p.ComplexProperty(x => x.Credited);
            p.ComplexProperty(x => x.Crypto);
            p.Ignore(x => x.Btc);
        });
        b.ComplexCollection<List<Allocation>, Allocation>("_allocations", a =>
        {
            a.ToJson("Allocations");
            a.ComplexProperty(x => x.Amount);
            a.ComplexProperty(x => x.Btc);
            a.Ignore(x => x.IsCredit);
            a.Ignore(x => x.IsHeldCredit);
        });
        b.ComplexCollection<List<ProcessedEvent>, ProcessedEvent>("_processedEvents", e => e.ToJson("ProcessedEvents"));
        b.ComplexCollection<List<PartyAccess>, PartyAccess>("_partyAccess", a => a.ToJson("PartyAccess"));
    }
}
