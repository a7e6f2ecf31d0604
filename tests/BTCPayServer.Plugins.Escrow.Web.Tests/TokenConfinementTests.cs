using System.Net;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// A party's token never leaves that party's browser: nothing handed to the payment gateway (which BTCPay shows to store
/// staff and webhooks), no log line and no audit entry carries it. Checkout comes back through a token-free address.
/// </summary>
public sealed class TokenConfinementTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private readonly Flow _flow = new(app);

    [Fact]
    public async Task No_gateway_request_log_line_or_audit_entry_of_the_main_flows_carries_a_party_token()
    {
        var staff = await app.StaffAsync();
        var tokens = new List<string>();
        var contracts = new List<Guid>();
        ContractAtHand Keep(ContractAtHand c)
        {
            tokens.AddRange([c.ClientToken, c.FreelancerToken]);
            contracts.Add(c.Id);
            return c;
        }

        // Funding, back from checkout, delivery, changes, approval and the freelancer's claim.
        var work = Keep(await _flow.ActiveAsync(staff, ContractForm.Valid("Website redesign")));
        var paid = await _flow.FundAsync(work, 1);
        var back = await work.Client.OpenAsync(paid.Get("#BackToContract").GetAttribute("href")!);
        Assert.Equal(work.ClientUrl, back.Url.AbsolutePath);
        await _flow.SubmitDeliverableAsync(work, 1);
        await work.Client.SubmitAsync(await work.Client.OpenAsync(work.ClientUrl), "#Milestone1 .request-changes", ("message", "More contrast, please."));
        await _flow.SubmitDeliverableAsync(work, 1);
        await work.Client.SubmitAsync(await work.Client.SubmitAsync(await work.Client.OpenAsync(work.ClientUrl), "#Milestone1 .approve-milestone"), "#ConfirmButton");

        // A dispute the parties settle with a split.
        var split = Keep(await _flow.FundedAsync(staff, ContractForm.Valid("Logo design")));
        await _flow.OpenDisputeAsync(split, 1);
        await split.Freelancer.SubmitAsync(await split.Freelancer.OpenAsync(split.FreelancerUrl), "#Milestone1 .propose-split", ("freelancerAmount", "0.005"), ("note", "Half"));
        await split.Client.SubmitAsync(await split.Client.SubmitAsync(await split.Client.OpenAsync(split.ClientUrl), "#Milestone1 .accept-split"), "#ConfirmButton");

        // A dispute the agency rules on.
        var ruled = Keep(await _flow.FundedAsync(staff, ContractForm.Valid("Copywriting")));
        await _flow.OpenDisputeAsync(ruled, 1);
        var ruling = Urls.Dispute(ruled.Id, ruled.MilestoneIds[0]);
        await staff.SubmitAsync(await staff.OpenAsync(ruling), "#EscalateDispute");
        Assert.True((await staff.PostAsync(ruling, ("Form.FreelancerShare", "40"), ("Form.Unit", "Percent"), ("Form.Reason", "Partly delivered"), ("confirm", "yes"))).IsRedirect);

        // A rotated link, then a cancellation that refunds what is held.
        var cancelled = Keep(await _flow.FundedAsync(staff, ContractForm.Valid("Translation")));
        var rotated = await staff.SubmitAsync(await staff.OpenAsync(Urls.Contract(cancelled.Id)), "#RotateClient");
        tokens.Add(Urls.TokenOf(rotated.Get("#ClientLink").GetAttribute("value")!));
        await staff.SubmitConfirmedAsync(await staff.OpenAsync(Urls.Contract(cancelled.Id)), "#CancelContract", ("reason", "Changed our mind"));

        // The worker makes every decided payout claimable (6 pull payments); the freelancer claims the release.
        await WaitUntilAsync(async () => (await Task.WhenAll(contracts.Select(app.ContractAsync)))
            .SelectMany(c => c.Payouts).Count(p => p.Status != PayoutStatus.Queued) == 6);
        var freelancerPage = await work.Freelancer.OpenAsync(work.FreelancerUrl);
        var claim = await work.Freelancer.OpenAsync(new Uri(freelancerPage.Get("#Milestone1 .claim-link").GetAttribute("href")!).AbsolutePath);
        Assert.Contains("Paid out", (await work.Freelancer.SubmitAsync(claim, "#ClaimPayout", ("destination", "bcrt1qexampleaddress"))).Text("#ClaimStatus"));
        await WaitUntilAsync(async () => (await app.ContractAsync(work.Id)).Payouts.Single().Status == PayoutStatus.Completed);

        var audit = new List<string>();
        foreach (var id in contracts)
            audit.AddRange((await app.Services.GetRequiredService<IAuditLog>().ReadAsync(id, CancellationToken.None)).Select(e => $"{e.Type} {e.ActorId} {e.Data}"));
        var requests = app.GatewayRequests.ToList();
        var logs = app.LogLines.ToList();
        // Other tests of this class fund contracts too: these are the flows' own requests.
        foreach (var id in contracts)
            Assert.Contains(requests, r => r.Contains($"\"RedirectUrl\":\"http://localhost/escrow/return/{id}\"", StringComparison.Ordinal));
        Assert.True(requests.Count(r => r.Contains("\"Reference\"", StringComparison.Ordinal)) >= 6);
        Assert.True(audit.Count > 40, $"Only {audit.Count} audit entries");
        Assert.Equal(9, tokens.Distinct().Count());
        foreach (var token in tokens)
        {
            Assert.DoesNotContain(requests, r => r.Contains(token, StringComparison.Ordinal));
            Assert.DoesNotContain(logs, l => l.Contains(token, StringComparison.Ordinal));
            Assert.DoesNotContain(audit, a => a.Contains(token, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Coming_back_from_checkout_without_the_cookie_shows_a_page_that_says_nothing_about_the_contract()
    {
        var staff = await app.StaffAsync();
        var c = await _flow.ActiveAsync(staff, ContractForm.Valid("Secret garden landscaping", "USD", "1234.56"));
        var answer = await FundNoFollowAsync(c);
        Assert.Contains("/sandbox/checkout/", answer.Location!.OriginalString);

        foreach (var stranger in new[] { app.NewBrowser(), c.Freelancer, staff })
        {
            var page = await stranger.GetAsync(ReturnUrl(c.Id));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.NotNull(page.Find("#CheckoutReturn"));
            AssertRevealsNothing(page, c);
        }
    }

    [Fact]
    public async Task The_browser_that_clicked_fund_comes_back_to_its_own_page_and_its_cookie_opens_no_other_contract()
    {
        var staff = await app.StaffAsync();
        var mine = await _flow.ActiveAsync(staff, ContractForm.Valid("Mine"));
        var other = await _flow.ActiveAsync(staff, ContractForm.Valid("Another garden", "USD", "777.77"));
        await FundNoFollowAsync(other);
        var answer = await FundNoFollowAsync(mine);

        var cookie = answer.Response.Headers.GetValues("Set-Cookie").Single(h => h.StartsWith("escrow.return=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"path={ReturnUrl(mine.Id)}", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(mine.ClientToken, cookie, StringComparison.Ordinal); // protected, not readable

        var home = await mine.Client.GetAsync(ReturnUrl(mine.Id));
        Assert.True(home.IsRedirect);
        Assert.Equal(mine.ClientUrl, home.Location!.OriginalString);

        // The same cookie presented for another contract, and a tampered one, open nothing.
        var value = cookie.Split(';')[0];
        var elsewhere = app.NewBrowser();
        var crossed = await elsewhere.SendAsync(WithCookie(ReturnUrl(other.Id), value));
        Assert.Equal(HttpStatusCode.OK, crossed.Status);
        AssertRevealsNothing(crossed, other);
        AssertRevealsNothing(crossed, mine);
        var tampered = await elsewhere.SendAsync(WithCookie(ReturnUrl(mine.Id), value[..^4] + "AAAA"));
        Assert.Equal(HttpStatusCode.OK, tampered.Status);
        AssertRevealsNothing(tampered, mine);
        // Presented by another browser for its own contract, it still leads to that contract's client page only.
        var copied = await elsewhere.SendAsync(WithCookie(ReturnUrl(mine.Id), value));
        Assert.Equal(mine.ClientUrl, copied.Location!.OriginalString);
    }

    private static string ReturnUrl(Guid contractId) => $"/escrow/return/{contractId}";

    private static HttpRequestMessage WithCookie(string url, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    private static async Task<Page> FundNoFollowAsync(ContractAtHand c)
    {
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var answer = await c.Client.SubmitNoFollowAsync(page, "#Milestone1 .fund-milestone");
        Assert.True(answer.IsRedirect, answer.Excerpt());
        return answer;
    }

    private static void AssertRevealsNothing(Page page, ContractAtHand c)
    {
        foreach (var secret in new[] { c.ClientToken, c.FreelancerToken, c.Id.ToString(), c.Id.ToString("N") })
            Assert.DoesNotContain(secret, page.Body, StringComparison.OrdinalIgnoreCase);
        foreach (var word in new[] { "garden", "Mine", "Alice", "Bob", "1234", "777", "0.01", "USD", "BTC", "milestone" })
            Assert.DoesNotContain(word, page.VisibleText, StringComparison.Ordinal);
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Eventually.UntilAsync(condition, "the worker");
}
