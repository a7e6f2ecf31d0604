using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Tests.Domain;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Notifications;

public class NotificationPlannerTests
{
    private static IReadOnlyList<Ports.EscrowNotification> Planned(Contract contract, Action<Contract> act)
    {
        var before = contract.AuditCount;
        act(contract);
        return contract.UnsavedAuditEntries.Where(e => e.Sequence > before).SelectMany(e => NotificationPlanner.For(contract, e)).ToList();
    }

    [Fact]
    public void Offering_terms_tells_both_parties_and_never_includes_a_link()
    {
        var contract = new ContractBuilder().WithClient("Cleo", "cleo@example.com").WithFreelancer("Finn", "finn@example.com").WithMilestone(1m).Draft();

        var sent = Planned(contract, c => c.Propose(Staff, Start));

        Assert.Equal(["cleo@example.com", "finn@example.com"], sent.Select(n => n.Recipient).Order());
        Assert.All(sent, n => Assert.DoesNotContain("/escrow/p/", n.Body));
        Assert.All(sent, n => Assert.Contains("Version 1", n.Body));
    }

    [Fact]
    public void A_delivery_is_told_to_the_client_and_a_change_request_to_the_freelancer()
    {
        var contract = new ContractBuilder().WithClient("Cleo", "cleo@example.com").WithFreelancer("Finn", "finn@example.com").WithMilestone(1m).Active().Fund(1);
        var id = contract.M(1).Id;

        var delivered = Planned(contract, c => c.SubmitDeliverable(id, "Done", null, null, Start));
        var changes = Planned(contract, c => c.RequestChanges(id, "Bigger logo", Start));

        Assert.Equal("cleo@example.com", Assert.Single(delivered).Recipient);
        Assert.Contains("milestone 1", Assert.Single(delivered).Subject);
        Assert.Equal("finn@example.com", Assert.Single(changes).Recipient);
    }

    [Fact]
    public void A_claimable_payout_is_told_to_its_recipient_with_the_amount()
    {
        var contract = new ContractBuilder().WithFreelancer("Finn", "finn@example.com").WithMilestone(1m).Active().Fund(1);
        var id = contract.M(1).Id;
        contract.SubmitDeliverable(id, "Done", null, null, Start);
        contract.Approve(id, Start);
        var release = contract.Payouts.Single();

        var sent = Planned(contract, c => c.MarkPayoutClaimable(release.Id, "pp-1", "https://pay.example/pp-1", Start));

        var claim = Assert.Single(sent, n => n.Subject.Contains("ready to claim"));
        Assert.Equal("finn@example.com", claim.Recipient);
        Assert.Contains(release.PayoutAmount.ToString(), claim.Body);
    }

    [Fact]
    public void Bookkeeping_entries_send_nothing()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();

        Assert.Empty(Planned(contract, c => c.IssuePartyLink(PartyRole.Client, Staff, Start)));
        Assert.Empty(Planned(contract, c => c.Invoice(1)));
    }

    [Fact]
    public void The_email_bodies_carry_the_link_and_encode_what_users_wrote()
    {
        var contract = new ContractBuilder().Titled("<b>Logo</b> & co").WithFreelancer("Finn", "finn@example.com").WithMilestone(1.5m).Active();

        var funded = Assert.Single(Planned(contract, c => c.Fund(1)), n => n.Subject.Contains("funded"));
        var url = "https://escrow.example/escrow/p/abc_DEF-123";

        Assert.Equal(PartyRole.Freelancer, funded.To);
        Assert.Contains(contract.M(1).Amount.ToString(), funded.Body);
        Assert.Contains(url, funded.Text(url));
        Assert.Contains("\"<b>Logo</b> & co\"", funded.Text(url));
        var html = funded.Html(url);
        Assert.Contains($"<a href=\"{url}\">", html);
        Assert.Contains("&lt;b&gt;Logo&lt;/b&gt; &amp; co", html);
        Assert.DoesNotContain("<b>Logo", html);
        Assert.DoesNotContain("/escrow/p/", funded.Text(null));
        Assert.Contains("private escrow link", funded.Html(null));
    }

    [Fact]
    public void A_dispute_is_told_to_both_parties()
    {
        var contract = new ContractBuilder().WithClient("Cleo", "cleo@example.com").WithFreelancer("Finn", "finn@example.com").WithMilestone(1m).Active().Fund(1);

        var opened = Planned(contract, c => c.OpenDispute(c.M(1).Id, PartyRole.Client, "Late", Start));

        Assert.Equal([PartyRole.Client, PartyRole.Freelancer], opened.Select(n => n.To).Order());
    }
}
