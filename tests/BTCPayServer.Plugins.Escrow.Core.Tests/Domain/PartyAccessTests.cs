using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class PartyAccessTests
{
    private static readonly DateTimeOffset Later = Start.AddHours(3);

    [Fact]
    public void A_token_is_43_base64url_characters_of_fresh_randomness()
    {
        var tokens = Enumerable.Range(0, 50).Select(_ => CapabilityToken.NewToken()).ToList();

        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public void Only_the_hash_of_a_token_is_stored_and_the_token_is_never_logged()
    {
        var contract = new ContractBuilder().Proposed();

        var token = contract.IssuePartyLink(PartyRole.Client, Staff, Start);

        var access = Assert.Single(contract.PartyAccess);
        Assert.Equal(CapabilityToken.HashOf(token), access.TokenHash);
        Assert.Matches("^[0-9a-f]{64}$", access.TokenHash);
        Assert.DoesNotContain(contract.UnsavedAuditEntries, e => e.Data.Contains(token) || e.Data.Contains(access.TokenHash));
        Assert.Contains("access.issued", contract.AuditTypes());
    }

    [Fact]
    public void A_live_token_authorizes_its_own_party_only()
    {
        var contract = new ContractBuilder().Proposed();
        var client = contract.IssuePartyLink(PartyRole.Client, Staff, Start);
        var freelancer = contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start);

        Assert.Equal(PartyRole.Client, contract.Authorize(client, Later));
        Assert.Equal(PartyRole.Freelancer, contract.Authorize(freelancer, Later));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    public void Anything_but_a_live_token_authorizes_nobody(string? presented)
    {
        var contract = new ContractBuilder().Proposed();
        contract.IssuePartyLink(PartyRole.Client, Staff, Start);

        Assert.Null(contract.Authorize(presented, Later));
    }

    [Fact]
    public void The_stored_hash_itself_is_not_a_token()
    {
        var contract = new ContractBuilder().Proposed();
        contract.IssuePartyLink(PartyRole.Client, Staff, Start);

        Assert.Null(contract.Authorize(contract.PartyAccess[0].TokenHash, Later));
    }

    [Fact]
    public void A_token_of_another_contract_authorizes_nobody()
    {
        var mine = new ContractBuilder().Proposed();
        var theirs = new ContractBuilder().Proposed();
        mine.IssuePartyLink(PartyRole.Client, Staff, Start);
        var foreign = theirs.IssuePartyLink(PartyRole.Client, Staff, Start);

        Assert.Null(mine.Authorize(foreign, Later));
    }

    [Fact]
    public void Rotating_a_link_invalidates_the_old_token()
    {
        var contract = new ContractBuilder().Proposed();
        var old = contract.IssuePartyLink(PartyRole.Client, Staff, Start);

        var fresh = contract.IssuePartyLink(PartyRole.Client, Staff, Start.AddHours(1));

        Assert.Null(contract.Authorize(old, Later));
        Assert.Equal(PartyRole.Client, contract.Authorize(fresh, Later));
        Assert.Single(contract.PartyAccess);
        Assert.Equal(Start.AddHours(1), contract.PartyAccess[0].IssuedAt);
        Assert.Contains("access.rotated", contract.AuditTypes());
    }

    [Fact]
    public void A_revoked_link_authorizes_nobody_until_a_new_one_is_issued()
    {
        var contract = new ContractBuilder().Proposed();
        var token = contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start);

        contract.RevokePartyLink(PartyRole.Freelancer, Staff, Start.AddHours(1));

        Assert.Null(contract.Authorize(token, Later));
        Assert.False(contract.PartyAccess[0].IsActiveAt(Start.AddHours(1)));
        Assert.Equal(Start.AddHours(1), contract.PartyAccess[0].RevokedAt);
        Assert.Throws<NotFoundException>(() => contract.RevokePartyLink(PartyRole.Freelancer, Staff, Start));

        var fresh = contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start.AddHours(2));
        Assert.Equal(PartyRole.Freelancer, contract.Authorize(fresh, Later));
        Assert.Null(contract.Authorize(token, Later));
    }

    [Fact]
    public void Revoking_one_party_leaves_the_other_party_in()
    {
        var contract = new ContractBuilder().Proposed();
        var client = contract.IssuePartyLink(PartyRole.Client, Staff, Start);
        contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start);

        contract.RevokePartyLink(PartyRole.Freelancer, Staff, Start);

        Assert.Equal(PartyRole.Client, contract.Authorize(client, Later));
    }

    [Fact]
    public void A_cancelled_contract_issues_no_new_links()
    {
        var contract = new ContractBuilder().Proposed();
        contract.Cancel(Staff, "stop", Start);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.IssuePartyLink(PartyRole.Client, Staff, Start));

        Assert.Equal("access.closed", ex.Code);
        Assert.Empty(contract.PartyAccess);
    }

    [Fact]
    public void Matching_refuses_overlong_input_without_hashing_it()
    {
        var token = CapabilityToken.NewToken();

        Assert.True(CapabilityToken.Matches(token, CapabilityToken.HashOf(token)));
        Assert.False(CapabilityToken.Matches(token + new string('x', 200), CapabilityToken.HashOf(token + new string('x', 200))));
        Assert.False(CapabilityToken.Matches(token, null));
    }

    [Fact]
    public void An_email_link_joins_the_party_links_and_works_for_thirty_days()
    {
        var contract = new ContractBuilder().Proposed();
        var first = contract.IssuePartyLink(PartyRole.Client, Staff, Start);

        var emailed = contract.IssueEmailLink(PartyRole.Client, Staff, Start.AddDays(1));

        Assert.Equal(PartyRole.Client, contract.Authorize(first, Start.AddDays(2)));
        Assert.Equal(PartyRole.Client, contract.Authorize(emailed, Start.AddDays(2)));
        Assert.Equal(2, contract.ActiveLinks(PartyRole.Client, Start.AddDays(2)).Count);
        var expiry = Start.AddDays(1) + Contract.EmailLinkLifetime;
        Assert.Equal(PartyRole.Client, contract.Authorize(emailed, expiry.AddSeconds(-1)));
        Assert.Null(contract.Authorize(emailed, expiry));
        Assert.Equal(PartyRole.Client, contract.Authorize(first, expiry.AddDays(365)));
        Assert.Contains("access.emailed", contract.AuditTypes());
        Assert.DoesNotContain(contract.UnsavedAuditEntries, e => e.Data.Contains(emailed) || e.Data.Contains(CapabilityToken.HashOf(emailed)));
    }

    [Fact]
    public void Rotating_ends_every_link_of_the_party_including_emailed_ones()
    {
        var contract = new ContractBuilder().Proposed();
        var first = contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start);
        var emailed = contract.IssueEmailLink(PartyRole.Freelancer, Staff, Start);
        var client = contract.IssueEmailLink(PartyRole.Client, Staff, Start);

        var fresh = contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start.AddHours(1));

        Assert.Null(contract.Authorize(first, Later));
        Assert.Null(contract.Authorize(emailed, Later));
        Assert.Equal(PartyRole.Freelancer, contract.Authorize(fresh, Later));
        Assert.Equal(PartyRole.Client, contract.Authorize(client, Later));
        Assert.Single(contract.ActiveLinks(PartyRole.Freelancer, Later));
    }

    [Fact]
    public void Revoking_ends_every_link_of_the_party_at_once()
    {
        var contract = new ContractBuilder().Proposed();
        var first = contract.IssuePartyLink(PartyRole.Client, Staff, Start);
        var emailed = contract.IssueEmailLink(PartyRole.Client, Staff, Start);

        contract.RevokePartyLink(PartyRole.Client, Staff, Start.AddHours(1));

        Assert.Null(contract.Authorize(first, Later));
        Assert.Null(contract.Authorize(emailed, Later));
        Assert.Empty(contract.ActiveLinks(PartyRole.Client, Later));
    }

    [Fact]
    public void A_party_s_dead_links_are_dropped_when_it_gets_a_new_one()
    {
        var contract = new ContractBuilder().Proposed();
        contract.IssuePartyLink(PartyRole.Client, Staff, Start);
        contract.IssueEmailLink(PartyRole.Client, Staff, Start);
        var afterExpiry = Start + Contract.EmailLinkLifetime + TimeSpan.FromDays(1);

        contract.IssuePartyLink(PartyRole.Freelancer, Staff, Start);
        contract.RevokePartyLink(PartyRole.Freelancer, Staff, Start);

        contract.IssueEmailLink(PartyRole.Client, Staff, afterExpiry);

        var client = contract.PartyAccess.Where(a => a.Role == PartyRole.Client).ToList();
        Assert.Equal(2, client.Count);
        Assert.All(client, a => Assert.True(a.IsActiveAt(afterExpiry)));
        Assert.Single(contract.PartyAccess, a => a.Role == PartyRole.Freelancer); // kept: the staff page says when it was revoked
    }

    [Fact]
    public void A_cancelled_contract_emails_no_new_links()
    {
        var contract = new ContractBuilder().Proposed();
        contract.Cancel(Staff, "stop", Start);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.IssueEmailLink(PartyRole.Client, Staff, Start));

        Assert.Equal("access.closed", ex.Code);
    }
}
