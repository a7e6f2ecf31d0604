using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Two contracts in dispute: one of the signed-in store, one of another store on the same host.</summary>
public sealed class AuthorizationApp : EscrowApp
{
    public ContractAtHand Mine { get; private set; } = null!;
    public OtherStoreContract Theirs { get; private set; } = null!;
    public Browser Staff { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
        var flow = new Flow(this);
        Mine = await flow.FundedAsync(Staff, ContractForm.Valid("Mine: kitchen remodel"));
        await flow.OpenDisputeAsync(Mine, 1);
        Theirs = await OtherStoreContract.CreateAsync(this);
    }
}

public sealed class AuthorizationTests(AuthorizationApp app) : IClassFixture<AuthorizationApp>
{
    /// <summary>Every staff route: method, path under stores/{storeId}/plugins/escrow ({c} contract, {m} milestone), and a form a browser would send.</summary>
    public static TheoryData<string, string> StaffRoutes => new()
    {
        { "GET", "" },
        { "GET", "contracts/new" },
        { "GET", "contracts/{c}" },
        { "GET", "contracts/{c}/edit" },
        { "GET", "disputes" },
        { "GET", "disputes/{c}/{m}" },
        { "GET", "settings" },
        { "GET", "statement.csv" },
        { "GET", "statement.json" },
        { "GET", "contracts/{c}/statement.csv" },
        { "GET", "contracts/{c}/statement.json" },
        { "POST", "contracts/new" },
        { "POST", "contracts/{c}/edit" },
        { "POST", "contracts/{c}/propose" },
        { "POST", "contracts/{c}/withdraw" },
        { "POST", "contracts/{c}/cancel" },
        { "POST", "contracts/{c}/clone" },
        { "POST", "contracts/{c}/links/Client/rotate" },
        { "POST", "contracts/{c}/links/Freelancer/revoke" },
        { "POST", "contracts/{c}/payments/sbx_pay_0000/accept" },
        { "POST", "contracts/{c}/payments/sbx_pay_0000/refund" },
        { "POST", "disputes/{c}/{m}" },
        { "POST", "disputes/{c}/{m}/escalate" },
        { "POST", "settings" },
        // The standalone host's webhooks (ids that exist nowhere: who asks decides the answer before any lookup).
        { "GET", "webhooks" },
        { "GET", "webhooks/0123456789abcdef" },
        { "POST", "webhooks" },
        { "POST", "webhooks/0123456789abcdef" },
        { "POST", "webhooks/0123456789abcdef/delete" },
        { "POST", "webhooks/0123456789abcdef/deliveries/0123456789abcdef01234567/redeliver" },
        // The standalone host's API keys.
        { "GET", "api-keys" },
        { "POST", "api-keys" },
        { "POST", "api-keys/0123456789abcdef/revoke" },
    };

    public static TheoryData<string, string> StaffContractRoutes
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var row in StaffRoutes)
            {
                if (((string)row[1]).Contains("{c}"))
                    data.Add((string)row[0], (string)row[1]);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(StaffRoutes))]
    public async Task Anonymous_visitors_are_sent_to_the_login_page(string method, string route)
    {
        var before = await app.SnapshotAsync(app.Mine.Id);
        var anonymous = app.NewBrowser();
        var page = await Send(anonymous, method, Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]));

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/login", page.Location!.IsAbsoluteUri ? page.Location.AbsolutePath : page.Location.OriginalString.Split('?')[0]);
        Assert.DoesNotContain("kitchen remodel", page.Body);
        Assert.Equal(before, await app.SnapshotAsync(app.Mine.Id));
    }

    [Theory]
    [MemberData(nameof(StaffRoutes))]
    public async Task Staff_get_404_for_another_store_in_the_route(string method, string route)
    {
        var before = await app.SnapshotAsync(app.Theirs.Id);
        var page = await Send(app.Staff, method, Path(EscrowApp.OtherStoreId, route, app.Theirs.Id, app.Theirs.MilestoneId));

        AssertRevealsNothing(page);
        Assert.Equal(before, await app.SnapshotAsync(app.Theirs.Id));
    }

    [Theory]
    [MemberData(nameof(StaffContractRoutes))]
    public async Task Another_stores_contract_under_my_store_is_404_not_403(string method, string route)
    {
        var before = await app.SnapshotAsync(app.Theirs.Id);
        var count = await app.CountContractsAsync(EscrowApp.OtherStoreId);
        var page = await Send(app.Staff, method, Path(EscrowApp.StoreId, route, app.Theirs.Id, app.Theirs.MilestoneId));

        AssertRevealsNothing(page);
        Assert.Equal(before, await app.SnapshotAsync(app.Theirs.Id));
        Assert.Equal(count, await app.CountContractsAsync(EscrowApp.OtherStoreId));
    }

    [Fact]
    public async Task Another_stores_contract_is_404_even_when_the_edit_form_is_invalid()
    {
        var page = await app.Staff.PostAsync($"{Urls.Contract(app.Theirs.Id)}/edit", ContractForm.Valid("").ToList());
        AssertRevealsNothing(page);
        var unknown = await app.Staff.PostAsync($"{Urls.Contract(Guid.NewGuid())}/edit", ContractForm.Valid("").ToList());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task My_own_routes_answer_for_comparison()
    {
        foreach (var route in new[] { "", "contracts/new", "contracts/{c}", "contracts/{c}/edit", "disputes", "disputes/{c}/{m}" })
        {
            var page = await app.Staff.GetAsync(Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]));
            Assert.Equal(HttpStatusCode.OK, page.Status);
        }
        var list = await app.Staff.GetAsync(Urls.Staff());
        Assert.Contains("kitchen remodel", list.Body);
        Assert.DoesNotContain(app.Theirs.Title, list.Body);
        var disputes = await app.Staff.GetAsync(Urls.Disputes());
        Assert.Contains("kitchen remodel", disputes.Body);
        Assert.DoesNotContain(app.Theirs.Title, disputes.Body);
    }

    [Theory]
    [MemberData(nameof(StaffRoutes))]
    public async Task Staff_posts_without_an_antiforgery_token_are_refused(string method, string route)
    {
        if (method != "POST")
            return;
        var before = await app.SnapshotAsync(app.Mine.Id);
        var count = await app.CountContractsAsync();
        var url = Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]);
        var page = await app.Staff.PostAsync(url, FormFor(route), antiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(before, await app.SnapshotAsync(app.Mine.Id));
        Assert.Equal(count, await app.CountContractsAsync());
    }

    [Theory]
    [MemberData(nameof(StaffRoutes))]
    public async Task Staff_posts_with_another_browsers_antiforgery_token_are_refused(string method, string route)
    {
        if (method != "POST")
            return;
        var before = await app.SnapshotAsync(app.Mine.Id);
        var count = await app.CountContractsAsync();
        var foreignToken = await (await app.StaffAsync()).TokenAsync();
        var url = Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]);
        var page = await app.Staff.PostAsync(url, FormFor(route).Append(new("__RequestVerificationToken", foreignToken)));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(before, await app.SnapshotAsync(app.Mine.Id));
        Assert.Equal(count, await app.CountContractsAsync());
    }

    [Fact]
    public async Task A_token_of_another_browser_is_refused_too()
    {
        var before = await app.SnapshotAsync(app.Mine.Id);
        var other = await app.StaffAsync();
        var foreignToken = await other.TokenAsync();
        var page = await app.Staff.PostAsync($"{Urls.Contract(app.Mine.Id)}/links/Client/rotate", [new("__RequestVerificationToken", foreignToken)]);
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(before, await app.SnapshotAsync(app.Mine.Id));
    }

    private async Task<Page> Send(Browser browser, string method, string url) =>
        method == "GET" ? await browser.GetAsync(url) : await browser.PostAsync(url, FormFor(url));

    private void AssertRevealsNothing(Page page)
    {
        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        foreach (var secret in new[] { app.Theirs.Title, app.Theirs.ClientName, app.Theirs.FreelancerName, "carol@other.test", "Other store's dispute" })
            Assert.DoesNotContain(secret, page.Body);
    }

    /// <summary>What the page's form would send, valid where possible, so the answer depends on who asks, not on the input.</summary>
    private static List<KeyValuePair<string, string>> FormFor(string route)
    {
        if (route.EndsWith("contracts/new") || route.EndsWith("/edit"))
            return ContractForm.Valid("Attempted change").ToList();
        if (route.EndsWith("/cancel"))
            return [new("reason", "Attempted cancel"), new("confirm", "yes")];
        if (System.Text.RegularExpressions.Regex.IsMatch(route, @"disputes/[^/]+/[^/]+$"))
            return [new("Form.FreelancerShare", "50"), new("Form.Unit", "Percent"), new("Form.Reason", "Attempted ruling"), new("confirm", "yes")];
        // Staff acts that move money or cannot be undone ask first; the matrix checks the act itself.
        return [new("confirm", "yes")];
    }

    private static string Path(string storeId, string route, Guid contractId, Guid milestoneId)
    {
        var path = route.Replace("{c}", contractId.ToString()).Replace("{m}", milestoneId.ToString());
        return path.Length == 0 ? Urls.Staff(storeId) : $"{Urls.Staff(storeId)}/{path}";
    }
}
