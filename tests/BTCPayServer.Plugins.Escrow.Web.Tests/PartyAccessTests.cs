using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// A contract in dispute with an open split proposal, whose client link was rotated and freelancer link revoked:
/// every party route has something real to do, and the dead tokens must reach none of it.
/// </summary>
public sealed class PartyAccessApp : EscrowApp
{
    public ContractAtHand Contract { get; private set; } = null!;
    public string RotatedClientToken { get; private set; } = "";
    public string CurrentClientToken { get; private set; } = "";
    public string RevokedFreelancerToken { get; private set; } = "";
    public string EmailedClientToken { get; private set; } = "";
    public string ExpiredClientToken { get; private set; } = "";
    public Guid ProposalId { get; private set; }
    public Browser Staff { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
        var flow = new Flow(this);
        Contract = await flow.FundedAsync(Staff, ContractForm.Valid("Secret garden landscaping"));
        await flow.OpenDisputeAsync(Contract, 1);
        var freelancerPage = await Contract.Freelancer.OpenAsync(Contract.FreelancerUrl);
        await Contract.Freelancer.SubmitAsync(freelancerPage, "#Milestone1 .propose-split", ("freelancerAmount", "0.005"), ("note", "Half"));
        ProposalId = (await ContractAsync(Contract.Id)).Disputes.Single().Proposals.Single().Id;

        var details = await Staff.OpenAsync(Urls.Contract(Contract.Id));
        var rotated = await Staff.SubmitAsync(details, "#RotateClient");
        CurrentClientToken = Urls.TokenOf(rotated.Get("#ClientLink").GetAttribute("value")!);
        RotatedClientToken = Contract.ClientToken;
        await Staff.SubmitConfirmedAsync(rotated, "#RevokeFreelancer");
        RevokedFreelancerToken = Contract.FreelancerToken;

        // Two more client links as emails bring them: one fresh, one sent 31 days ago (issued last: a new link drops dead ones).
        var now = DateTimeOffset.UtcNow;
        await using var store = Services.GetRequiredService<IContractStoreFactory>().Open();
        var contract = await store.FindAsync(Contract.Id, CancellationToken.None) ?? throw new InvalidOperationException();
        EmailedClientToken = contract.IssueEmailLink(PartyRole.Client, Actor.Mailer, now);
        ExpiredClientToken = contract.IssueEmailLink(PartyRole.Client, Actor.Mailer, now - Core.Contracts.Contract.EmailLinkLifetime - TimeSpan.FromDays(1));
        await store.SaveAsync(contract, CancellationToken.None);
    }
}

public sealed class PartyAccessTests(PartyAccessApp app) : IClassFixture<PartyAccessApp>
{
    /// <summary>Every party route under /escrow/p/{token}: method, path ({m} milestone, {p} proposal), and what its form sends.</summary>
    public static TheoryData<string, string, string> PartyRoutes => new()
    {
        { "GET", "", "" },
        { "GET", "status", "" },
        { "GET", "statement.csv", "" },
        { "GET", "statement.json", "" },
        { "POST", "accept", "termsHash={hash}" },
        { "POST", "fund", "milestoneIds={m2}" },
        { "POST", "milestones/{m}/submit", "message=Delivered" },
        { "POST", "milestones/{m}/changes", "message=Please change" },
        { "POST", "milestones/{m}/approve", "" },
        { "POST", "milestones/{m}/cancel-missed", "" },
        { "POST", "milestones/{m}/dispute", "reason=Bad" },
        { "POST", "milestones/{m}/dispute/message", "text=Hello" },
        { "POST", "milestones/{m}/dispute/propose", "freelancerAmount=0.004&note=x" },
        { "POST", "milestones/{m}/dispute/proposals/{p}/answer", "accept=true" },
        { "POST", "milestones/{m}/dispute/escalate", "" },
    };

    public static TheoryData<string, string, string, string> DeadTokens
    {
        get
        {
            var data = new TheoryData<string, string, string, string>();
            foreach (var kind in new[] { "wrong", "rotated", "revoked", "expired", "garbage" })
            {
                foreach (var row in PartyRoutes)
                    data.Add(kind, (string)row[0], (string)row[1], (string)row[2]);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(DeadTokens))]
    public async Task Dead_or_wrong_tokens_get_a_404_that_reveals_nothing(string kind, string method, string route, string form)
    {
        var token = kind switch
        {
            "wrong" => CapabilityToken.NewToken(),
            "rotated" => app.RotatedClientToken,
            "revoked" => app.RevokedFreelancerToken,
            "expired" => app.ExpiredClientToken,
            _ => new string('A', 200),
        };
        var before = await app.SnapshotAsync(app.Contract.Id);
        var browser = app.NewBrowser();
        var page = await Send(browser, method, token, route, form);

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        foreach (var secret in new[] { "Secret garden", "Alice", "Bob", "alice@client.test", "bob@freelancer.test", app.Contract.Id.ToString(), "Milestone 1" })
            Assert.DoesNotContain(secret, page.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await app.SnapshotAsync(app.Contract.Id));
    }

    [Fact]
    public async Task The_live_links_still_work_and_answer_differently_from_dead_ones()
    {
        var client = await app.NewBrowser().GetAsync(Urls.Party(app.CurrentClientToken));
        Assert.Equal(HttpStatusCode.OK, client.Status);
        Assert.Equal("client", client.Text("#PartyRole"));
        Assert.Contains("no-store", client.Response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", string.Join("", client.Response.Headers.GetValues("Referrer-Policy")));
        var status = await app.NewBrowser().GetAsync($"{Urls.Party(app.CurrentClientToken)}/status");
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.Contains("\"version\"", status.Body);
        var emailed = await app.NewBrowser().GetAsync(Urls.Party(app.EmailedClientToken));
        Assert.Equal(HttpStatusCode.OK, emailed.Status);
        Assert.Equal("client", emailed.Text("#PartyRole"));
    }

    [Fact]
    public async Task The_staff_page_counts_each_party_s_live_links_and_never_shows_a_token()
    {
        var page = await app.Staff.OpenAsync(Urls.Contract(app.Contract.Id));

        var client = page.Get("#LinksClient").TextContent;
        Assert.Contains("2 active", client);
        Assert.Contains("until revoked", client);
        Assert.Contains("by email, works until", client);
        Assert.Contains("revoked", page.Get("#LinksFreelancer").TextContent);
        foreach (var token in new[] { app.CurrentClientToken, app.EmailedClientToken, app.ExpiredClientToken })
        {
            Assert.DoesNotContain(token, page.Body);
            Assert.DoesNotContain(CapabilityToken.HashOf(token), page.Body);
        }
    }

    [Theory]
    [MemberData(nameof(PartyRoutes))]
    public async Task Party_posts_without_an_antiforgery_token_are_refused(string method, string route, string form)
    {
        if (method != "POST")
            return;
        var before = await app.SnapshotAsync(app.Contract.Id);
        var page = await Send(app.NewBrowser(), method, app.CurrentClientToken, route, form, antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(before, await app.SnapshotAsync(app.Contract.Id));
    }

    [Theory]
    [MemberData(nameof(PartyRoutes))]
    public async Task Party_posts_with_another_browsers_antiforgery_token_are_refused(string method, string route, string form)
    {
        if (method != "POST")
            return;
        var before = await app.SnapshotAsync(app.Contract.Id);
        var foreignToken = await app.NewBrowser().TokenAsync();
        var browser = app.NewBrowser();
        await browser.TokenAsync(); // it has an antiforgery cookie of its own; the token it sends belongs to another
        var page = await Send(browser, method, app.CurrentClientToken, route, form, antiforgery: false, foreignToken);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(before, await app.SnapshotAsync(app.Contract.Id));
    }

    private async Task<Page> Send(Browser browser, string method, string token, string route, string form, bool antiforgery = true, string? foreignToken = null)
    {
        var c = await app.ContractAsync(app.Contract.Id);
        var path = route
            .Replace("{m}", app.Contract.MilestoneIds[0].ToString())
            .Replace("{p}", app.ProposalId.ToString());
        var url = path.Length == 0 ? Urls.Party(token) : $"{Urls.Party(token)}/{path}";
        if (method == "GET")
            return await browser.GetAsync(url);
        var fields = form.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(kv[0], kv[1]
                .Replace("{hash}", c.LatestTermsVersion!.Hash)
                .Replace("{m2}", app.Contract.MilestoneIds[1].ToString())))
            .ToList();
        if (foreignToken is not null)
            fields.Add(new("__RequestVerificationToken", foreignToken));
        return await browser.PostAsync(url, fields, antiforgery);
    }
}
