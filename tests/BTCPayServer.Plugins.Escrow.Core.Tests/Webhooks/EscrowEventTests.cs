using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Tests.Domain;
using BTCPayServer.Plugins.Escrow.Core.Webhooks;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Webhooks;

public class EscrowEventTests
{
    private static List<EscrowEvent> Events(Contract contract, Action<Contract> act)
    {
        var before = contract.AuditCount;
        act(contract);
        return contract.UnsavedAuditEntries.Where(e => e.Sequence > before).Select(e => EscrowEvent.From(contract, e)).OfType<EscrowEvent>().ToList();
    }

    private static WebhookSubscription Everything() =>
        WebhookSubscription.Create("store-1", "https://hooks.example/escrow", null, true, true, null, Start);

    [Fact]
    public void Proposing_and_activating_are_events_with_the_contract_and_store()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Draft();

        var proposed = Events(contract, c => c.Propose(Staff, Start));

        var e = Assert.Single(proposed);
        Assert.Equal("EscrowContractProposed", e.Type);
        Assert.Equal(contract.Id, e.ContractId);
        Assert.Equal(contract.StoreId, e.StoreId);
        Assert.Null(e.MilestoneId);
    }

    [Fact]
    public void Funding_names_the_milestone_and_the_amount_with_its_currency()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();

        var events = Events(contract, c => c.Fund(1));

        var funded = Assert.Single(events, e => e.Type == "EscrowMilestoneFunded");
        Assert.Equal(contract.M(1).Id, funded.MilestoneId);
        Assert.Equal(1, funded.MilestoneNumber);
        Assert.Equal(contract.M(1).Funded, funded.Amount);
    }

    [Fact]
    public void A_claimable_payout_tells_amount_and_recipient_but_never_the_claim_link_or_pull_payment()
    {
        var contract = new ContractBuilder().WithClient("Cleo", "cleo@example.com").WithFreelancer("Finn", "finn@example.com").WithMilestone(1m).Active().Fund(1);
        var id = contract.M(1).Id;
        contract.SubmitDeliverable(id, "Done", null, null, Start);
        var approved = Events(contract, c => c.Approve(id, Start));
        var release = contract.Payouts.Single();

        var claimable = Events(contract, c => c.MarkPayoutClaimable(release.Id, "pp-secret-1", "https://pay.example/pull-payments/pp-secret-1", Start));

        Assert.Contains(approved, e => e.Type == "EscrowMilestoneApproved" && e.Details["autoApproved"] == "false");
        // The last payout of the contract also releases the milestone and completes the contract.
        Assert.Equal(["EscrowPayoutClaimable", "EscrowMilestoneReleased", "EscrowContractCompleted"], claimable.Select(c => c.Type));
        var e = claimable[0];
        Assert.Equal(release.PayoutAmount, e.Amount);
        Assert.Equal("Freelancer", e.Details["recipient"]);
        Assert.Equal(id, e.MilestoneId);
        var payload = string.Concat(claimable.Select(c => WebhookDelivery.Plan(Everything(), c, Start).Payload));
        foreach (var secret in new[] { "pp-secret-1", "pay.example", "cleo@example.com", "finn@example.com", "/escrow/p/" })
            Assert.DoesNotContain(secret, payload);
    }

    [Fact]
    public void Bookkeeping_entries_are_no_events()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();

        Assert.Empty(Events(contract, c => c.IssuePartyLink(PartyRole.Client, Staff, Start)));
    }

    [Fact]
    public void Every_type_is_named_Escrow_something_and_is_listed_once()
    {
        Assert.All(EscrowEventTypes.All, t => Assert.StartsWith("Escrow", t));
        Assert.Equal(EscrowEventTypes.All.Count, EscrowEventTypes.All.Distinct().Count());
        foreach (var required in new[] { "EscrowContractProposed", "EscrowContractActivated", "EscrowMilestoneFunded", "EscrowMilestoneSubmitted",
                     "EscrowMilestoneApproved", "EscrowMilestoneReleased", "EscrowMilestoneRefunded", "EscrowDisputeOpened", "EscrowDisputeRuled",
                     "EscrowLatePaymentHeld", "EscrowPayoutClaimable", "EscrowContractCompleted", "EscrowContractCancelled" })
            Assert.Contains(required, EscrowEventTypes.All);
    }

    [Fact]
    public void The_payload_has_the_documented_fields()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var funded = Events(contract, c => c.Fund(1)).Single(e => e.Type == "EscrowMilestoneFunded");
        var webhook = Everything();

        var delivery = WebhookDelivery.Plan(webhook, funded, Start);

        using var json = JsonDocument.Parse(delivery.Payload);
        var root = json.RootElement;
        Assert.Equal(delivery.Id, root.GetProperty("deliveryId").GetString());
        Assert.Equal(webhook.Id, root.GetProperty("webhookId").GetString());
        Assert.Equal("EscrowMilestoneFunded", root.GetProperty("type").GetString());
        Assert.Equal(funded.Timestamp.ToUnixTimeSeconds(), root.GetProperty("timestamp").GetInt64());
        Assert.Equal(contract.StoreId, root.GetProperty("storeId").GetString());
        Assert.Equal(contract.Id.ToString(), root.GetProperty("contractId").GetString());
        Assert.Equal(contract.M(1).Id.ToString(), root.GetProperty("milestoneId").GetString());
        Assert.Equal(contract.M(1).Funded.FormatAmount(), root.GetProperty("amount").GetString());
        Assert.Equal(contract.Currency, root.GetProperty("currency").GetString());
        Assert.False(root.GetProperty("isRedelivery").GetBoolean());
    }
}
