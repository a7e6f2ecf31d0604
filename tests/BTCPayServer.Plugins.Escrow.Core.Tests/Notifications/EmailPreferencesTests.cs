using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Core.Tests.Domain;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Notifications;

/// <summary>Kinds of email a store switched off, the agency's own addresses, and the answer to a link request.</summary>
public class EmailPreferencesTests
{
    private static readonly EmailPreferences Agency = new([], ["arbiter@agency.example", "desk@agency.example"]);

    private static IReadOnlyList<EscrowNotification> Planned(Contract contract, Action<Contract> act, EmailPreferences? preferences = null)
    {
        var before = contract.AuditCount;
        act(contract);
        return contract.UnsavedAuditEntries.Where(e => e.Sequence > before).SelectMany(e => NotificationPlanner.For(contract, e, preferences)).ToList();
    }

    private static Contract Parties(ContractBuilder builder) =>
        builder.WithClient("Cleo", "cleo@example.com").WithFreelancer("Finn", "finn@example.com").Active();

    [Fact]
    public void A_kind_switched_off_is_not_planned_and_the_other_kinds_still_are()
    {
        var contract = Parties(new ContractBuilder().WithMilestone(1m).WithMilestone(2m));
        var off = new EmailPreferences([EmailKind.MilestoneFunded], []);

        Assert.Empty(Planned(contract, c => c.Fund(1), off));
        var delivered = Planned(contract, c => c.Submit(1), off);

        var message = Assert.Single(delivered);
        Assert.Equal(EmailKind.DeliverySubmitted, message.Kind);
        Assert.Single(Planned(contract, c => c.Fund(2)), n => n.Kind == EmailKind.MilestoneFunded);
    }

    [Fact]
    public void Every_kind_the_planner_sends_can_be_switched_off_except_the_answer_to_a_link_request()
    {
        var switchable = EmailKinds.Switchable.Select(k => k.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<EmailKind>().Except([EmailKind.LinkRequested]).Order(), switchable.Order());
        var everythingOff = new EmailPreferences(Enum.GetValues<EmailKind>(), []);

        Assert.False(everythingOff.Sends(EmailKind.TermsToReview));
        Assert.True(everythingOff.Sends(EmailKind.LinkRequested));
    }

    [Fact]
    public void A_late_payment_is_told_to_the_client_and_to_each_of_the_agency_addresses_with_no_party_link()
    {
        var contract = Parties(new ContractBuilder().In("USD").WithMilestone(100m));
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);

        var sent = Planned(contract, c => c.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, c.Payment(100m, paymentId: "late-1")), Start), Agency);

        Assert.Equal(["arbiter@agency.example", "cleo@example.com", "desk@agency.example"], sent.Select(n => n.Recipient).Order());
        Assert.All(sent, n => Assert.Equal(EmailKind.LatePaymentHeld, n.Kind));
        var toAgency = sent.Where(n => n.ToAgency).ToList();
        Assert.Equal(2, toAgency.Count);
        Assert.All(toAgency, n => Assert.Contains("100.00 USD", n.Body));
        Assert.All(toAgency, n => Assert.Contains("decision", n.Subject));
        var text = toAgency[0].Text("https://escrow.example/stores/s/plugins/escrow/contracts/1", "https://escrow.example/escrow/stores/s/link");
        Assert.Contains("Open the contract: https://escrow.example/stores/s/plugins/escrow/contracts/1", text);
        Assert.DoesNotContain("yours alone", text);
        Assert.DoesNotContain("/link", text);
        Assert.Contains("<a href=\"https://escrow.example/stores/s/plugins/escrow/contracts/1\">Open the contract</a>", toAgency[0].Html("https://escrow.example/stores/s/plugins/escrow/contracts/1"));
    }

    [Fact]
    public void An_escalation_reaches_both_parties_and_the_agency_and_without_agency_addresses_only_the_parties()
    {
        var contract = Parties(new ContractBuilder().WithMilestone(1m)).Fund(1);
        var id = contract.M(1).Id;
        contract.OpenDispute(id, PartyRole.Client, "Late", Start);

        var withAgency = Planned(contract, c => c.EscalateDispute(id, Actor.Freelancer, Start), Agency);

        Assert.Equal(4, withAgency.Count);
        Assert.Equal(2, withAgency.Count(n => n.ToAgency && n.Subject.Contains("ruling")));
        Assert.Contains("freelancer escalated", withAgency.First(n => n.ToAgency).Body);

        var contract2 = Parties(new ContractBuilder().WithMilestone(1m)).Fund(1);
        contract2.OpenDispute(contract2.M(1).Id, PartyRole.Client, "Late", Start);
        var partiesOnly = Planned(contract2, c => c.EscalateDispute(c.M(1).Id, Actor.Client, Start));
        Assert.Equal([PartyRole.Client, PartyRole.Freelancer], partiesOnly.Select(n => n.To!.Value).Order());
    }

    [Fact]
    public void A_link_request_answers_only_the_party_asked_for_even_with_every_kind_switched_off()
    {
        var contract = Parties(new ContractBuilder().WithMilestone(1m));

        var sent = Planned(contract, c => c.RecordLinkRequest(PartyRole.Freelancer, Start), new EmailPreferences(Enum.GetValues<EmailKind>(), ["desk@agency.example"]));

        var answer = Assert.Single(sent);
        Assert.Equal("finn@example.com", answer.Recipient);
        Assert.Equal(EmailKind.LinkRequested, answer.Kind);
        var entry = Assert.Single(contract.UnsavedAuditEntries, e => e.Type == "access.requested");
        Assert.Equal("link-request-page", entry.ActorId);
        Assert.Equal(["party"], entry.ReadData().Keys);
        var text = answer.Text("https://escrow.example/escrow/p/tok", "https://escrow.example/escrow/stores/s/link");
        Assert.Contains("Open your escrow page: https://escrow.example/escrow/p/tok", text);
        Assert.Contains("Ask for a new one with this email address: https://escrow.example/escrow/stores/s/link", text);
    }

    [Fact]
    public void A_link_request_is_refused_on_a_draft_and_on_a_cancelled_contract()
    {
        var draft = new ContractBuilder().WithMilestone(1m).Draft();
        var cancelled = new ContractBuilder().WithMilestone(1m).Active();
        cancelled.Cancel(Staff, "Client left", Start);

        Assert.Throws<InvalidTransitionException>(() => draft.RecordLinkRequest(PartyRole.Client, Start));
        Assert.Throws<InvalidTransitionException>(() => cancelled.RecordLinkRequest(PartyRole.Client, Start));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("a@b.example, c@d.example")]
    [InlineData("Desk <desk@agency.example>")]
    [InlineData("desk@agency.example\u0000")]
    public void An_agency_address_that_is_not_one_plain_address_is_refused_with_its_field(string bad)
    {
        var e = Assert.Throws<InvalidInputException>(() => (StoreEscrowSettings.Default with { AgencyEmails = ["ok@agency.example", bad] }).Validated());

        Assert.Equal("agencyEmails", e.Field);
    }

    [Fact]
    public void Agency_addresses_are_trimmed_deduplicated_without_case_and_capped()
    {
        var valid = (StoreEscrowSettings.Default with { AgencyEmails = [" Desk@Agency.example ", "desk@agency.example", "", "arbiter@agency.example"] }).Validated();

        Assert.Equal(["Desk@Agency.example", "arbiter@agency.example"], valid.AgencyEmails);
        var tooMany = Enumerable.Range(1, StoreEscrowSettings.MaxAgencyEmails + 1).Select(i => $"a{i}@agency.example").ToList();
        Assert.Equal("agencyEmails", Assert.Throws<InvalidInputException>(() => (StoreEscrowSettings.Default with { AgencyEmails = tooMany }).Validated()).Field);
    }

    [Theory]
    [InlineData(EmailKind.LinkRequested)]
    [InlineData((EmailKind)999)]
    public void Only_switchable_kinds_can_be_switched_off(EmailKind kind)
    {
        var e = Assert.Throws<InvalidInputException>(() => (StoreEscrowSettings.Default with { EmailsOff = [kind] }).Validated());

        Assert.Equal("emailsOff", e.Field);
    }
}
