using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Two contracts in dispute: one of the signed-in store, one of another store on the same host.</summary>
public sealed class AuthorizationApp : EscrowApp
{
    public ContractAtHand Mine { get; private set; } = null!;
    public OtherStoreContract Theirs { get; private set; } = null!;
    public Browser Staff { get; private set; } = null!;
    /// <summary>Staff accounts with one permission each, as an administrator sets them on the Staff page.</summary>
    public Browser ManagerOnly { get; private set; } = null!;
    public Browser ArbiterOnly { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
        ManagerOnly = await StaffMemberAsync("manager@escrow.test", manageContracts: true, arbitrateDisputes: false);
        ArbiterOnly = await StaffMemberAsync("arbiter@escrow.test", manageContracts: false, arbitrateDisputes: true);
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
        // Non-custodial signatures of the agency (ids of no refund or spend: refused or not found, never acted on).
        { "GET", "contracts/{c}/escrow/milestones/{m}/refund" },
        { "POST", "contracts/{c}/escrow/milestones/{m}/refund" },
        { "POST", "contracts/{c}/escrow/milestones/{m}/return" },
        { "GET", "contracts/{c}/escrow/spends/00000000-0000-0000-0000-000000000000" },
        { "POST", "contracts/{c}/escrow/spends/00000000-0000-0000-0000-000000000000" },
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

    /// <summary>
    /// Every staff action (found by reflection in the Web library and the host) is in <see cref="StaffRoutes"/>, so the
    /// tests above and the permission tests below reach an action added later.
    /// </summary>
    [Fact]
    public void Every_staff_action_is_in_the_matrix()
    {
        // The API's actions have their own matrix (Api.ApiAuthorizationMatrixTests); a store's public page has none.
        var missing = CrossStoreTests.WebAndHostActions().Where(a => a.IsStaff && !a.IsApi && !a.IsPublic)
            .Where(a => !StaffRoutes.Any(row => (string)row[0] == a.HttpMethod && ActionOf((string)row[0], (string)row[1]) == a.Method))
            .Select(a => a.ToString()).ToList();
        Assert.True(missing.Count == 0, "Staff actions missing from StaffRoutes: " + string.Join(", ", missing));
    }

    /// <summary>
    /// A staff member with one permission is refused (404, nothing changed) every route that needs the other: an arbiter
    /// never manages contracts, settings or webhooks, and a contract manager never rules on a dispute.
    /// </summary>
    [Theory]
    [MemberData(nameof(StaffRoutes))]
    public async Task Staff_without_the_routes_permission_get_404(string method, string route)
    {
        var policy = PolicyOf(method, route);
        var without = policy == EscrowPolicies.ManageContracts ? app.ArbiterOnly : app.ManagerOnly;
        var before = await app.SnapshotAsync(app.Mine.Id);
        var count = await app.CountContractsAsync();
        var page = await Send(without, method, Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.DoesNotContain("kitchen remodel", page.Body);
        Assert.Equal(before, await app.SnapshotAsync(app.Mine.Id));
        Assert.Equal(count, await app.CountContractsAsync());
    }

    [Fact]
    public async Task Staff_with_the_routes_permission_get_the_page()
    {
        foreach (var (browser, routes) in new[]
        {
            (app.ManagerOnly, new[] { "", "contracts/new", "contracts/{c}", "contracts/{c}/edit", "settings", "webhooks" }),
            (app.ArbiterOnly, new[] { "disputes", "disputes/{c}/{m}" }),
        })
        {
            foreach (var route in routes)
                Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(Path(EscrowApp.StoreId, route, app.Mine.Id, app.Mine.MilestoneIds[0]))).Status);
        }
    }

    [Theory]
    [InlineData("GET", "/staff")]
    [InlineData("POST", "/staff/invite")]
    public async Task Only_administrators_open_the_staff_page(string method, string url)
    {
        foreach (var browser in new[] { app.ManagerOnly, app.ArbiterOnly })
        {
            var page = await Send(browser, method, url);
            Assert.Equal(HttpStatusCode.NotFound, page.Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await app.Staff.GetAsync("/staff")).Status);
    }

    /// <summary>The action a row of the matrix reaches: the one whose route template matches the row's path.</summary>
    private static System.Reflection.MethodInfo? ActionOf(string method, string route)
    {
        var path = Path(EscrowApp.StoreId, route, Guid.Empty, Guid.Empty).TrimStart('/');
        return CrossStoreTests.WebAndHostActions().Where(a => a.HttpMethod == method)
            .Where(a => System.Text.RegularExpressions.Regex.IsMatch(path, "^" + System.Text.RegularExpressions.Regex.Replace(a.Template, @"\{[^}]+\}", "[^/]+") + "$"))
            // "contracts/new" matches "contracts/{contractId}" too: as in routing, the literal segment wins.
            .OrderBy(a => a.Template.Count(c => c == '{')).FirstOrDefault()?.Method;
    }

    /// <summary>The policy the action of a matrix row requires (on the action, or else on its controller).</summary>
    private static string PolicyOf(string method, string route)
    {
        var action = ActionOf(method, route) ?? throw new Xunit.Sdk.XunitException($"No action for {method} {route}.");
        var authorize = action.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), true)
            .Concat(action.DeclaringType!.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), true))
            .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>().First(a => a.Policy is not null);
        return authorize.Policy!;
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
