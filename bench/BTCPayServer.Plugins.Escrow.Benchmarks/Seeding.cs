using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using BTCPayServer.Plugins.Escrow.Data;

namespace BTCPayServer.Plugins.Escrow.Benchmarks;

/// <summary>Builds realistic contracts through the domain (so every row, audit entry and summary is real) and stores them in batches.</summary>
public static class Seeding
{
    public static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    /// <summary>The client's party link token of each seeded contract (the party page benchmark opens them).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, string> ClientTokens = new();
    private static readonly Actor Agency = Actor.Agency("bench-staff");

    /// <summary>An active contract with <paramref name="milestones"/> milestones; every third one has milestone 1 funded.</summary>
    public static Contract ActiveContract(string storeId, int index, int milestones, bool fundFirst)
    {
        var items = Enumerable.Range(1, milestones).Select(i => new MilestoneTerms(Guid.NewGuid(), $"Milestone {i}", "Deliverable text", Money.Of(100m * i, "USD"), null, null)).ToList();
        var terms = ContractTerms.Create($"Contract {index}: website rebuild", "Scope of work",
            Party.Create($"Client {index}", $"client{index}@example.com", "client"), Party.Create($"Freelancer {index}", $"dev{index}@example.com", "freelancer"),
            "USD", FeePolicy.Create(5m, Money.Of(0m, "USD"), FeePayer.Freelancer), FxPolicy.FiatProtected, OverpaymentHandling.RollForward,
            TimeSpan.FromDays(14), TimeSpan.FromDays(7), items);
        var contract = Contract.CreateDraft(storeId, terms, Agency, Start);
        var version = contract.Propose(Agency, Start);
        ClientTokens[contract.Id] = contract.IssuePartyLink(PartyRole.Client, Agency, Start);
        contract.IssuePartyLink(PartyRole.Freelancer, Agency, Start);
        contract.AcceptTerms(PartyRole.Client, version.Hash, Start);
        contract.AcceptTerms(PartyRole.Freelancer, version.Hash, Start);
        if (fundFirst)
        {
            var invoice = OpenInvoice(contract, $"inv-seed-{Guid.NewGuid():N}");
            contract.ApplyPaymentEvent(Settled(invoice.InvoiceId, invoice.Amount, $"seed-{Guid.NewGuid():N}"), Start);
        }
        return contract;
    }

    public static FundingInvoice OpenInvoice(Contract contract, string invoiceId)
    {
        var request = contract.RequestFunding([contract.Milestones[0].Id]);
        return contract.RegisterFundingInvoice(request, invoiceId, $"https://pay.example/i/{invoiceId}", Start);
    }

    public static InboundPaymentEvent Settled(string invoiceId, Money amount, string eventId) =>
        new(eventId, InboundEventKind.InvoiceSettled, Start, invoiceId,
            [new PaymentReport($"pay-{eventId}", amount, Money.Of(decimal.Round(amount.Amount / 50_000m, 8), "BTC"), 50_000m, "BTC-CHAIN")]);

    public static async Task StoreAsync(BenchDatabase db, IEnumerable<Contract> contracts, int batchSize = 200)
    {
        foreach (var batch in contracts.Chunk(batchSize))
        {
            await using var store = new EfContractStore(db.NewContext());
            await store.AddManyAsync(batch, CancellationToken.None);
        }
    }
}
