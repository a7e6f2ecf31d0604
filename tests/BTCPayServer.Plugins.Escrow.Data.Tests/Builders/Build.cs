using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Builders;

/// <summary>Contracts built through the Core's public API only, so storage is tested on values the domain really makes.</summary>
internal static class Build
{
    public static readonly DateTimeOffset Start = new(2030, 3, 1, 9, 30, 0, TimeSpan.Zero);
    public static readonly Actor Agency = Actor.Agency("staff-user-1");

    public static FakeTimeProvider Clock() => new(Start);

    /// <summary>A USD, BTC-locked contract (payouts in BTC, ledger in USD), fee charged to the freelancer.</summary>
    public static ContractTerms Terms(int milestones = 3, string currency = "USD", Func<int, decimal>? amount = null,
        string title = "Website redesign", string clientName = "Carol Client", string freelancerName = "Fred Freelancer")
    {
        var today = DateOnly.FromDateTime(Start.UtcDateTime);
        var items = Enumerable.Range(1, milestones).Select(i => new MilestoneTerms(
            Guid.NewGuid(),
            $"Milestone {i}",
            $"Deliverable of milestone {i}",
            Money.Of(amount?.Invoke(i) ?? 100m * i + 0.25m, currency),
            today.AddDays(30 * i),
            i == 2 ? TimeSpan.FromDays(3) : null)).ToList();
        var bitcoin = Currency.FromCode(currency).IsBitcoin;
        return ContractTerms.Create(
            title,
            "Design and build the new site.\nThree milestones.",
            Party.Create(clientName, "carol@example.com", "client"),
            Party.Create(freelancerName, "fred@example.com", "freelancer"),
            currency,
            FeePolicy.Create(2.5m, Money.Of(bitcoin ? 0m : 1m, currency), FeePayer.Freelancer),
            bitcoin ? FxPolicy.NotApplicable : FxPolicy.BtcLocked,
            OverpaymentHandling.RollForward,
            TimeSpan.FromDays(14),
            TimeSpan.FromDays(7),
            items);
    }

    public static Contract Draft(TimeProvider clock, string storeId = "store-a", ContractTerms? terms = null) =>
        Contract.CreateDraft(storeId, terms ?? Terms(), Agency, clock.GetUtcNow());

    /// <summary>Proposes the draft, issues both links and has both parties accept; returns the raw tokens.</summary>
    public static (string ClientToken, string FreelancerToken) Activate(Contract contract, TimeProvider clock)
    {
        var version = contract.Propose(Agency, clock.GetUtcNow());
        var client = contract.IssuePartyLink(PartyRole.Client, Agency, clock.GetUtcNow());
        var freelancer = contract.IssuePartyLink(PartyRole.Freelancer, Agency, clock.GetUtcNow());
        contract.AcceptTerms(PartyRole.Client, version.Hash, clock.GetUtcNow());
        contract.AcceptTerms(PartyRole.Freelancer, version.Hash, clock.GetUtcNow());
        return (client, freelancer);
    }

    public static FundingInvoice Invoice(Contract contract, TimeProvider clock, string invoiceId, params int[] milestoneNumbers)
    {
        var request = contract.RequestFunding(milestoneNumbers.Select(n => contract.Milestones[n - 1].Id).ToList());
        return contract.RegisterFundingInvoice(request, invoiceId, $"https://pay.example.com/i/{invoiceId}", clock.GetUtcNow());
    }

    /// <summary>The invoice settled with one on-chain payment of its full amount, at <paramref name="usdPerBtc"/>.</summary>
    public static InboundPaymentEvent Settled(FundingInvoice invoice, TimeProvider clock, string eventId, string paymentId, decimal usdPerBtc = 50_000m) =>
        new(eventId, InboundEventKind.InvoiceSettled, clock.GetUtcNow(), invoice.InvoiceId,
            [Payment(invoice.Amount, paymentId, usdPerBtc)]);

    public static InboundPaymentEvent Received(FundingInvoice invoice, TimeProvider clock, string eventId, string paymentId, Money amount) =>
        new(eventId, InboundEventKind.PaymentReceived, clock.GetUtcNow(), invoice.InvoiceId, [Payment(amount, paymentId, 50_000m)]);

    public static PaymentReport Payment(Money credited, string paymentId, decimal usdPerBtc)
    {
        var btc = credited.Currency == "BTC" ? credited : Money.Of(decimal.Round(credited.Amount / usdPerBtc, 8, MidpointRounding.ToZero), "BTC");
        return new PaymentReport(paymentId, credited, btc, credited.Currency == "BTC" ? 1m : usdPerBtc, "BTC-CHAIN");
    }

    /// <summary>An active contract whose first milestone is funded (invoice, settled payment) and saved nowhere yet.</summary>
    public static Contract Funded(FakeTimeProvider clock, string storeId = "store-a")
    {
        var contract = Draft(clock, storeId);
        Activate(contract, clock);
        var invoice = Invoice(contract, clock, Unique("inv"), 1);
        contract.ApplyPaymentEvent(Settled(invoice, clock, Unique("evt"), Unique("pay")), clock.GetUtcNow());
        return contract;
    }

    /// <summary>Ids the gateway would make; unique per test so tests can share one database.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static string FileHash(char c) => new(c, 64);
}
