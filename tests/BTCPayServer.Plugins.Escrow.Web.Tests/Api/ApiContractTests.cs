using System.Net;
using System.Text;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

public sealed class ApiContractTests(ApiApp app) : IClassFixture<ApiApp>
{
    private ApiClient Api => app.Api(app.ManageKey);

    [Fact]
    public async Task A_draft_is_created_read_listed_and_updated_with_its_version()
    {
        var title = $"Shop redesign {Guid.NewGuid():N}";
        var created = await ApiContracts.CreateAsync(Api, ApiContracts.Draft(title, "USD", "250.00", "1000"));
        var id = ApiContracts.IdOf(created);
        Assert.Equal("Draft", (string)created["state"]!);
        Assert.Equal("USD", (string)created["currency"]!);
        Assert.Equal("1250.00", (string)created["total"]!);
        Assert.Equal("1000.00", (string)created["milestones"]![1]!["amount"]!);
        Assert.Equal(1L, (long)created["version"]!);

        var read = await Api.GetAsync(ApiApp.Path($"/contracts/{id}"));
        Assert.Equal(created.ToJsonString(), read.This.ToJsonString());

        var list = await Api.GetAsync(ApiApp.Path($"/contracts?state=Draft&search={Uri.EscapeDataString(title)}&page=1&pageSize=5"));
        Assert.Equal(1, (int)list.This["total"]!);
        Assert.Equal(id.ToString(), (string)list.This["data"]![0]!["id"]!);
        var elsewhere = await Api.GetAsync(ApiApp.Path($"/contracts?state=Active&search={Uri.EscapeDataString(title)}"));
        Assert.Equal(0, (int)elsewhere.This["total"]!);

        var milestoneId = (string)created["milestones"]![0]!["id"]!;
        var updated = await Api.PutAsync(ApiApp.Path($"/contracts/{id}"), new { version = 1, title = title + " v2", milestones = new object[] { new { id = milestoneId, title = "Wireframes", amount = "300" } } });
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(title + " v2", (string)updated.This["title"]!);
        Assert.Equal("300.00", (string)updated.This["total"]!);
        Assert.Equal(milestoneId, (string)updated.This["milestones"]![0]!["id"]!);
        Assert.Equal(2L, (long)updated.This["version"]!);

        // Written against version 1, which is no longer the contract's: refused, nothing changed.
        var before = await app.SnapshotAsync(id);
        var stale = await Api.PutAsync(ApiApp.Path($"/contracts/{id}"), new { version = 1, title = "Lost update" });
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("contract-version-conflict", (string)stale.This["code"]!);
        var noVersion = await Api.PutAsync(ApiApp.Path($"/contracts/{id}"), new { title = "No version" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noVersion.Status);
        Assert.Equal("version", (string)noVersion.This[0]!["path"]!);
        Assert.Equal(before, await app.SnapshotAsync(id));
    }

    [Fact]
    public async Task Sending_shows_each_party_link_once_and_a_retry_gets_the_answer_without_them()
    {
        var id = ApiContracts.IdOf(await ApiContracts.CreateAsync(Api));
        var sent = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/send"), new { version = 1 }, idempotencyKey: $"send-{id}");
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Equal("Proposed", (string)sent.This["contract"]!["state"]!);
        var urls = sent.This["links"]!.AsArray().Select(l => (string)l!["url"]!).ToList();
        Assert.Equal(2, urls.Count);
        foreach (var url in urls)
        {
            Assert.StartsWith(EscrowApp.PublicUrl + "/escrow/p/", url);
            Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(new Uri(url).AbsolutePath)).Status);
        }

        var audit = (await app.ContractAsync(id)).AuditCount;
        var again = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/send"), new { version = 1 }, idempotencyKey: $"send-{id}");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("true", again.Header("Idempotent-Replayed"));
        Assert.Equal(sent.This["contract"]!.ToJsonString(), again.This["contract"]!.ToJsonString());
        Assert.All(again.This["links"]!.AsArray(), l => Assert.Null(l!["url"]));
        Assert.Equal(audit, (await app.ContractAsync(id)).AuditCount);
        // The tokens are kept nowhere: not in the idempotency record, not in any file of the data folder.
        foreach (var token in urls.Select(Urls.TokenOf))
            Assert.False(DataFolderContains(token), "A party token was written to disk.");

        // Sending twice is refused in words (the contract is no longer a draft).
        var twice = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/send"));
        Assert.Equal(HttpStatusCode.BadRequest, twice.Status);
        Assert.Contains("sent for acceptance", (string)twice.This["message"]!);
    }

    [Fact]
    public async Task Party_links_are_rotated_and_revoked()
    {
        var (id, client, freelancer) = await ApiContracts.SentAsync(app, Api);
        var rotated = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/links/Client/rotate"));
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var link = (string)rotated.This["links"]![0]!["url"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(Urls.Party(client))).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.NewBrowser().GetAsync(new Uri(link).AbsolutePath)).Status);

        var revoked = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/links/Freelancer/revoke"));
        Assert.Equal(HttpStatusCode.OK, revoked.Status);
        Assert.Equal(0, (int)revoked.This["partyLinks"]!.AsArray().Single(p => (string)p!["role"]! == "Freelancer")!["activeLinks"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync(Urls.Party(freelancer))).Status);

        var before = await app.SnapshotAsync(id);
        foreach (var role in new[] { "Agency", "client", "0", "1" })
        {
            var wrong = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/links/{role}/rotate"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.Status);
            Assert.Equal("role", (string)wrong.This[0]!["path"]!);
        }
        Assert.Equal(before, await app.SnapshotAsync(id));
    }

    [Fact]
    public async Task A_contract_is_cloned_withdrawn_and_cancelled_with_a_reason()
    {
        var (id, _, _) = await ApiContracts.SentAsync(app, Api);
        var clone = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/clone"));
        Assert.Equal(HttpStatusCode.OK, clone.Status);
        Assert.Equal("Draft", (string)clone.This["state"]!);
        Assert.EndsWith("(copy)", (string)clone.This["title"]!);

        var withdrawn = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/withdraw"));
        Assert.Equal("Draft", (string)withdrawn.This["state"]!);

        var noReason = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/cancel"), new { });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.Status);
        Assert.Equal("reason", (string)noReason.This[0]!["path"]!);
        var cancelled = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/cancel"), new { reason = "The client stopped the project." });
        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        Assert.Equal("Cancelled", (string)cancelled.This["state"]!);
        Assert.NotNull(cancelled.This["closedTime"]);
    }

    [Fact]
    public async Task An_active_contract_is_amended_and_never_updated()
    {
        var (id, _, _) = await ApiContracts.SentAsync(app, Api, accepted: true);
        var contract = (await Api.GetAsync(ApiApp.Path($"/contracts/{id}"))).This;
        Assert.Equal("Active", (string)contract["state"]!);
        var version = (long)contract["version"]!;

        var update = await Api.PutAsync(ApiApp.Path($"/contracts/{id}"), new { version, title = "Changed" });
        Assert.Equal(HttpStatusCode.BadRequest, update.Status);
        Assert.Contains("amend", (string)update.This["message"]!);

        var amended = await Api.PostAsync(ApiApp.Path($"/contracts/{id}/amend"), new { version, scope = "Five pages and a logo." });
        Assert.Equal(HttpStatusCode.OK, amended.Status);
        Assert.Equal(2, (int)amended.This["latestTerms"]!["number"]!);
        Assert.Equal(1, (int)amended.This["effectiveTermsVersion"]!);
        // Until both accept, the terms in force stay as they were.
        Assert.Equal("Five pages.", (string)amended.This["scope"]!);
    }

    [Fact]
    public async Task A_funded_contract_s_ledger_timeline_and_statements_are_read()
    {
        var theirs = await OtherStoreContract.CreateAsync(app, EscrowApp.StoreId, $"Funded {Guid.NewGuid():N}", "Ann Client", "Bob Freelancer", "ann@client.test", "Incomplete");
        var ledger = (await Api.GetAsync(ApiApp.Path($"/contracts/{theirs.Id}/ledger"))).This;
        Assert.Equal("BTC", (string)ledger["currency"]!);
        Assert.Equal("0.50000000", (string)ledger["received"]!);
        Assert.Equal("0.50000000", (string)ledger["balance"]!);

        var timeline = (await Api.GetAsync(ApiApp.Path($"/contracts/{theirs.Id}/timeline"))).This;
        Assert.True((bool)timeline["verified"]!);
        Assert.Equal("contract.created", (string)timeline["entries"]![0]!["type"]!);
        Assert.DoesNotContain(theirs.ClientToken, timeline.ToJsonString());

        var statement = (await Api.GetAsync(ApiApp.Path($"/contracts/{theirs.Id}/statement"))).This;
        Assert.Contains(statement["lines"]!.AsArray(), l => (string)l!["kind"]! == "credited" && (string)l["amount"]! == "0.50000000");
        var store = (await Api.GetAsync(ApiApp.Path("/statement"))).This;
        Assert.Contains(store["lines"]!.AsArray(), l => (string)l!["contractId"]! == theirs.Id.ToString());

        var badDates = await Api.GetAsync(ApiApp.Path("/statement?from=2026-02-30"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDates.Status);
        Assert.Equal("from", (string)badDates.This[0]!["path"]!);
    }

    [Fact]
    public async Task A_dispute_is_listed_read_escalated_and_ruled()
    {
        var arbiter = app.Api(app.ArbitrateKey);
        var theirs = await OtherStoreContract.CreateAsync(app, EscrowApp.StoreId, $"Disputed {Guid.NewGuid():N}", "Ann Client", "Bob Freelancer", "ann@client.test", "Half is missing");
        var queue = (await arbiter.GetAsync(ApiApp.Path("/disputes"))).This.AsArray();
        Assert.Contains(queue, d => (string)d!["contractId"]! == theirs.Id.ToString() && (string)d["status"]! == "Open");
        var path = ApiApp.Path($"/disputes/{theirs.Id}/{theirs.MilestoneId}");
        var dispute = (await arbiter.GetAsync(path)).This;
        Assert.Equal("Half is missing", (string)dispute["reason"]!);
        Assert.Equal("0.25000000", (string)dispute["proposals"]![0]!["freelancerAmount"]!);

        var early = await arbiter.PostAsync(path + "/rule", new { freelancerAmount = "0.1", reason = "Too early" });
        Assert.Equal(HttpStatusCode.BadRequest, early.Status);
        Assert.Equal("dispute.not-escalated", (string)early.This["code"]!);

        Assert.Equal("Escalated", (string)(await arbiter.PostAsync(path + "/escalate")).This["status"]!);
        var tooMuch = await arbiter.PostAsync(path + "/rule", new { freelancerAmount = "0.6", reason = "More than the milestone" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.Status);
        Assert.Equal("freelancerAmount", (string)tooMuch.This[0]!["path"]!);
        var ruled = await arbiter.PostAsync(path + "/rule", new { freelancerAmount = "0.2", reason = "Two of five pages." });
        Assert.Equal(HttpStatusCode.OK, ruled.Status);
        Assert.Equal("Ruled", (string)ruled.This["status"]!);
        Assert.Equal("0.20000000", (string)ruled.This["freelancerShare"]!);
        Assert.Equal("Resolved", (await app.ContractAsync(theirs.Id)).Milestone(theirs.MilestoneId).State.ToString());
    }

    [Fact]
    public async Task Store_settings_are_read_and_updated_and_refused_input_changes_nothing()
    {
        var settings = (await Api.GetAsync(ApiApp.Path("/settings"))).This;
        Assert.Equal("BTC", (string)settings["defaultCurrency"]!);
        var bad = await Api.PutAsync(ApiApp.Path("/settings"), new { defaultFeePercent = "75", paymentMethods = new[] { "DOGE" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(settings.ToJsonString(), (await Api.GetAsync(ApiApp.Path("/settings"))).This.ToJsonString());
        try
        {
            var updated = await Api.PutAsync(ApiApp.Path("/settings"), new { defaultCurrency = "eur", defaultFeePercent = "2.5", autoApproveClaims = false });
            Assert.Equal(HttpStatusCode.OK, updated.Status);
            Assert.Equal("EUR", (string)updated.This["defaultCurrency"]!);
            Assert.Equal("2.5", (string)updated.This["defaultFeePercent"]!);
            Assert.False((bool)updated.This["autoApproveClaims"]!);
            // A draft that names no currency or fee takes the store's defaults.
            var draft = await ApiContracts.CreateAsync(Api, ApiContracts.Draft() with { Currency = null });
            Assert.Equal("EUR", (string)draft["currency"]!);
            Assert.Equal("2.5", (string)draft["fee"]!["percent"]!);
        }
        finally
        {
            await Api.PutAsync(ApiApp.Path("/settings"), new { defaultCurrency = "BTC", defaultFeePercent = "0", autoApproveClaims = true });
        }
    }

    private bool DataFolderContains(string token)
    {
        var needle = Encoding.UTF8.GetBytes(token);
        return Directory.EnumerateFiles(app.DataDir, "*", SearchOption.AllDirectories)
            .Any(f => { using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); using var m = new MemoryStream(); s.CopyTo(m); return m.ToArray().AsSpan().IndexOf(needle) >= 0; });
    }
}
