using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

public sealed class PartyLinkLifecycleTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task Proposing_shows_two_links_once_and_both_open_their_party_page()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var id = await flow.CreateDraftAsync(staff, ContractForm.Valid("Links once"));
        var (clientLink, freelancerLink) = await flow.ProposeAsync(staff, id);

        Assert.StartsWith("http://localhost/escrow/p/", clientLink);
        Assert.NotEqual(Urls.TokenOf(clientLink), Urls.TokenOf(freelancerLink));
        Assert.Equal(43, Urls.TokenOf(clientLink).Length); // 256 bits, base64url

        // Shown once: the next visit of the contract page has no links, and storage keeps only hashes.
        var again = await staff.OpenAsync(Urls.Contract(id));
        Assert.Null(again.Find("#IssuedLinks"));
        Assert.DoesNotContain(Urls.TokenOf(clientLink), again.Body);
        var contract = await app.ContractAsync(id);
        Assert.DoesNotContain(contract.PartyAccess, a => a.TokenHash == Urls.TokenOf(clientLink));

        var client = await app.NewBrowser().OpenAsync(new Uri(clientLink).AbsolutePath);
        Assert.Equal("client", client.Text("#PartyRole"));
        Assert.NotNull(client.Find("#AcceptTerms"));
        Assert.Equal(contract.LatestTermsVersion!.Hash, client.Text("#OfferedHash"));
        var freelancer = await app.NewBrowser().OpenAsync(new Uri(freelancerLink).AbsolutePath);
        Assert.Equal("freelancer", freelancer.Text("#PartyRole"));
    }

    [Fact]
    public async Task Rotating_the_client_link_kills_the_old_one_and_revoking_kills_the_new_one()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Rotate me"));
        var browser = app.NewBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(c.ClientUrl)).Status);

        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        var rotated = await staff.SubmitAsync(details, "#RotateClient");
        var newLink = rotated.Get("#ClientLink").GetAttribute("value")!;
        Assert.Null(rotated.Find("#FreelancerLink"));
        Assert.NotEqual(c.ClientLink, newLink);

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(c.ClientUrl)).Status);
        var fresh = await browser.GetAsync(new Uri(newLink).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal("client", fresh.Text("#PartyRole"));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(c.FreelancerUrl)).Status); // the other party is untouched

        var revoked = await staff.SubmitConfirmedAsync(await staff.OpenAsync(Urls.Contract(c.Id)), "#RevokeClient");
        Assert.Null(revoked.Find("#EscrowError"));
        Assert.Contains("revoked", revoked.Get("#PartyLinks").TextContent);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(new Uri(newLink).AbsolutePath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(c.ClientUrl)).Status);

        // Reissued after a revocation: a third link that works, and the revoked one stays dead.
        var reissued = await staff.SubmitAsync(revoked, "#RotateClient");
        var third = reissued.Get("#ClientLink").GetAttribute("value")!;
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri(third).AbsolutePath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(new Uri(newLink).AbsolutePath)).Status);
    }

    [Fact]
    public async Task Revoking_a_link_twice_says_so_on_the_page()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Revoke twice"));
        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        var token = await staff.TokenAsync();
        await staff.SubmitConfirmedAsync(details, "#RevokeFreelancer");
        var before = await app.SnapshotAsync(c.Id);

        var again = await staff.FollowAsync(await staff.PostAsync($"{Urls.Contract(c.Id)}/links/Freelancer/revoke", [new("__RequestVerificationToken", token)]));
        Assert.Contains("was not found", again.Text("#EscrowError"));
        Assert.Equal(before, await app.SnapshotAsync(c.Id));

        // A role that does not exist must not fall back to the default one (the client) and rotate its link.
        foreach (var role in new[] { "Agency", "2", "client2" })
        {
            var unknownRole = await staff.FollowAsync(await staff.PostAsync($"{Urls.Contract(c.Id)}/links/{role}/rotate", [new("__RequestVerificationToken", token)]));
            Assert.Contains("Unknown party", unknownRole.Text("#EscrowError"));
            Assert.Null(unknownRole.Find("#IssuedLinks"));
            Assert.Equal(before, await app.SnapshotAsync(c.Id));
        }
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(c.ClientUrl)).Status);
    }
}
