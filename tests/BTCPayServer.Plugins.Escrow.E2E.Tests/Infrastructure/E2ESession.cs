using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;

/// <summary>
/// One test's browsers: a context per person (agency, client, freelancer), a screenshot of every page reached
/// (e2e-artifacts/screenshots/&lt;test&gt;/&lt;nn&gt;-&lt;name&gt;.png), and a record of browser errors, failed requests and
/// server errors, which fail the test at the end.
/// </summary>
public sealed partial class E2ESession : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _problems = [];
    private readonly int _hostLogStart;
    private int _shots;

    private E2ESession(EscrowHost host, string test)
    {
        Host = host;
        Test = test;
        _hostLogStart = host.HostLog.Length;
        ShotDir = Path.Combine(EscrowHost.ArtifactsDir, "screenshots", test);
        Directory.CreateDirectory(ShotDir);
        SetDefaultExpectTimeout(15_000);
    }

    public EscrowHost Host { get; }
    public string Test { get; }
    public string ShotDir { get; }
    public string Base => Host.BaseUrl;
    public string StaffBase => $"{Host.BaseUrl}/stores/{EscrowHost.StoreId}/plugins/escrow";

    public static E2ESession Start(EscrowHost host, [CallerMemberName] string test = "") => new(host, test);

    /// <summary>A fresh browser context (own cookies) and its page, for one person.</summary>
    public async Task<IPage> NewPageAsync(string who)
    {
        var context = await Host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            BaseURL = Host.BaseUrl,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(20_000);
        _contexts.Add(context);
        // Whatever the host's Content-Security-Policy refuses (an inline script or style, a foreign source) is reported
        // by the page itself, with the directive and what was blocked, and fails the test like any other browser error.
        await context.AddInitScriptAsync(CspViolationReporter);
        var page = await context.NewPageAsync();
        Watch(page, who);
        context.Page += (_, popup) => Watch(popup, who + " (popup)");
        return page;
    }

    public const string CspViolationPrefix = "CSP violation:";

    private const string CspViolationReporter = """
        document.addEventListener('securitypolicyviolation', e =>
            console.error(`CSP violation: ${e.violatedDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile || 'page'}:${e.lineNumber})`));
        """;

    private void Watch(IPage page, string who)
    {
        page.Console += (_, message) =>
        {
            if (message.Text.StartsWith(CspViolationPrefix, StringComparison.Ordinal))
            {
                Problem($"{who}: {message.Text} on {page.Url}");
                return;
            }
            // A resource that failed to load is reported by the Response handler with its address (favicon.ico excepted).
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                Problem($"{who}: console error on {page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => Problem($"{who}: script error on {page.Url}: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
                Problem($"{who}: {response.Status} {response.Request.Method} {response.Url}");
        };
        page.RequestFailed += (_, request) =>
        {
            // A poll cut short by a reload or a closing context is not a failure of the page, nor is a page load aborted by
            // the next navigation (a party page reloading itself): that navigation's own answer is checked where it is made.
            var superseded = request.IsNavigationRequest && request.Failure?.Contains("ERR_ABORTED", StringComparison.Ordinal) == true;
            if (!request.Url.EndsWith("/status", StringComparison.Ordinal) && !superseded)
                Problem($"{who}: request failed {request.Method} {request.Url}: {request.Failure}");
        };
    }

    private void Problem(string text)
    {
        lock (_problems)
            _problems.Add(text);
    }

    /// <summary>Saves a screenshot of the page as it is now and checks the host's frame: Bootstrap loaded, sandbox banner shown.</summary>
    public async Task ShotAsync(IPage page, string name)
    {
        var banner = page.Locator("#SandboxBanner");
        await Expect(banner).ToHaveTextAsync("Sandbox — no real funds");
        // bg-warning comes from Bootstrap: without its stylesheet the banner has no background.
        var background = await banner.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.True(background == "rgb(255, 193, 7)", $"The sandbox banner on {page.Url} has background {background}: Bootstrap is not loaded.");
        var file = Path.Combine(ShotDir, $"{Interlocked.Increment(ref _shots):00}-{Safe(name)}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        await CheckFitsAsync(page, name);
        // Every page (the agency's, the parties', checkout, claim) must be usable with assistive technology: axe finds
        // nothing serious or critical.
        foreach (var violation in await Accessibility.SeriousViolationsAsync(page))
            Problem($"{name} ({page.Url}) fails accessibility: {violation}");
    }

    /// <summary>
    /// The page needs no horizontal scrolling: at 1280 px, at 1280 px inside BTCPay's frame (its 250 px sidebar leaves
    /// about 1030 px, where the tables must show every column without scrolling), and on a 375 px phone. What does not fit
    /// is recorded as a problem (with a screenshot at that width) and fails the test at the end.
    /// </summary>
    private async Task CheckFitsAsync(IPage page, string name)
    {
        var original = page.ViewportSize ?? new PageViewportSizeResult { Width = 1280, Height = 900 };
        foreach (var (width, sidebar) in new[] { (1280, 0), (1280, 250), (375, 0) })
        {
            await page.SetViewportSizeAsync(width, original.Height);
            string[] overflowing;
            try
            {
                overflowing = await page.EvaluateAsync<string[]>(FitsScript, new { sidebar, tables = sidebar > 0 });
            }
            catch (PlaywrightException e) when (e.Message.Contains("Execution context was destroyed", StringComparison.Ordinal))
            {
                // The party page reloaded itself (its contract changed): measure the new document.
                await page.WaitForLoadStateAsync(LoadState.Load);
                overflowing = await page.EvaluateAsync<string[]>(FitsScript, new { sidebar, tables = sidebar > 0 });
            }
            if (overflowing.Length > 0)
            {
                var where = sidebar > 0 ? $"{width} px with a {sidebar} px sidebar" : $"{width} px";
                Problem($"{name} ({page.Url}) is wider than the window at {where}: {string.Join("; ", overflowing)}");
                var file = Path.Combine(ShotDir, $"{Interlocked.Increment(ref _shots):00}-{Safe(name)}-overflow-{width}-{sidebar}.png");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            }
        }
        await page.SetViewportSizeAsync(original.Width, original.Height);
    }

    // With a sidebar, the body is pushed right as BTCPay's layout does; the elements sticking out are named for the report.
    private const string FitsScript = """
        ({ sidebar, tables }) => {
            document.body.style.marginLeft = sidebar ? sidebar + 'px' : '';
            const found = [];
            const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
            if (document.documentElement.scrollWidth > window.innerWidth) {
                found.push(`document ${document.documentElement.scrollWidth} px > window ${window.innerWidth} px`);
                for (const e of document.body.querySelectorAll('*')) {
                    if (e.getBoundingClientRect().right > window.innerWidth + 1 && found.length < 6)
                        found.push(`${name(e)} ends at ${Math.round(e.getBoundingClientRect().right)} px`);
                }
            }
            if (tables) {
                for (const e of document.querySelectorAll('.table-responsive')) {
                    if (e.scrollWidth > e.clientWidth + 1)
                        found.push(`${name(e)} > ${name(e.firstElementChild ?? e)} scrolls (${e.scrollWidth} px in ${e.clientWidth} px)`);
                }
            }
            document.body.style.marginLeft = '';
            return found;
        }
        """;

    /// <summary>Goes to a URL, expects a 200 page, and takes its screenshot.</summary>
    public async Task GotoAsync(IPage page, string url, string shot)
    {
        IResponse? response;
        try
        {
            response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        }
        catch (PlaywrightException e) when (e.Message.Contains("net::ERR_ABORTED", StringComparison.Ordinal)
                                            || e.Message.Contains("interrupted by another navigation", StringComparison.Ordinal))
        {
            // A party page reloads itself when its contract changed; that reload can cut this navigation short.
            response = null;
        }
        // The same reload can also leave the navigation without a response of its own: let it finish, then go again (on a
        // loaded machine a page can take longer than the 3 s between its polls, so a few tries may be needed).
        for (var retry = 0; response is null && retry < 6; retry++)
        {
            try
            {
                await page.WaitForLoadStateAsync(LoadState.Load);
                response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            }
            catch (PlaywrightException e) when (retry < 5 && (e.Message.Contains("net::ERR_ABORTED", StringComparison.Ordinal)
                                                             || e.Message.Contains("interrupted by another navigation", StringComparison.Ordinal)))
            {
            }
        }
        Assert.True(response is { Status: 200 }, $"GET {url} answered {response?.Status}.");
        await ShotAsync(page, shot);
    }

    /// <summary>
    /// Does something that loads a new document (a form post and its redirect, a link), waits until the new page has
    /// loaded, and takes its screenshot. A marker set on the old document tells the two apart.
    /// </summary>
    public async Task NavigateByAsync(IPage page, Func<Task> act, string shot)
    {
        await page.EvaluateAsync("() => { window.__e2eOldPage = true; }");
        await act();
        await page.WaitForFunctionAsync("() => window.__e2eOldPage !== true && document.readyState === 'complete'", null,
            new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 50 });
        await ShotAsync(page, shot);
    }

    public Task ClickAsync(IPage page, ILocator button, string shot) => NavigateByAsync(page, () => button.ClickAsync(), shot);

    // ---- agency ----

    public async Task<IPage> SignInAsync()
    {
        var agency = await NewPageAsync("agency");
        await GotoAsync(agency, "/login", "login");
        await SubmitSignInAsync(agency, EscrowHost.AdminEmail, EscrowHost.AdminPassword, "contracts");
        await Expect(agency).ToHaveURLAsync(new Regex($"/stores/{EscrowHost.StoreId}/plugins/escrow$"));
        await Expect(agency.Locator("h2")).ToHaveTextAsync("Escrow contracts");
        return agency;
    }

    /// <summary>Fills the sign-in form the page shows and sends it.</summary>
    public async Task SubmitSignInAsync(IPage page, string email, string password, string shot)
    {
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", password);
        await ClickAsync(page, page.Locator("#LoginButton"), shot);
    }

    /// <summary>Drafts the contract with the milestone builder, sends it for acceptance and reads the two links shown once.</summary>
    public async Task<DraftedContract> CreateContractAsync(IPage agency, ContractSpec spec)
    {
        await GotoAsync(agency, StaffBase, "contract-list");
        await ClickAsync(agency, agency.Locator("#CreateContract"), "new-contract-form");
        await agency.FillAsync("#Form_Title", spec.Title);
        await agency.FillAsync("#Form_Scope", spec.Scope);
        await agency.FillAsync("#Form_Client_Name", spec.ClientName);
        await agency.FillAsync("#Form_Client_Email", "client@example.com");
        await agency.FillAsync("#Form_Freelancer_Name", spec.FreelancerName);
        await agency.FillAsync("#Form_Freelancer_Email", "freelancer@example.com");
        await agency.FillAsync("#Form_Currency", spec.Currency);
        if (spec.NonCustodial)
            await agency.CheckAsync("#CustodyNonCustodial");
        // The FX policy only applies to fiat contracts: the form hides it for bitcoin currencies.
        if (spec.Currency.ToUpperInvariant() is "BTC" or "SATS" or "LBTC")
            await Expect(agency.Locator("#FxPolicy")).ToBeHiddenAsync();
        else
            await agency.SelectOptionAsync("#Form_Fx", spec.Fx);
        await agency.SelectOptionAsync("#Form_Overpayment", spec.Overpayment);
        await agency.FillAsync("#Form_Fee_Percent", spec.FeePercent);
        await agency.FillAsync("#Form_Fee_Fixed", spec.FeeFixed);
        await agency.SelectOptionAsync("#Form_Fee_ChargedTo", "Freelancer");
        await agency.FillAsync("#Form_ReviewWindow", spec.ReviewWindowDays.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var rows = agency.Locator("#Milestones [data-milestone-row]");
        for (var i = 0; i < spec.Milestones.Count; i++)
        {
            if (i > 0)
            {
                await agency.ClickAsync("#AddMilestone");
                await Expect(rows).ToHaveCountAsync(i + 1);
            }
            var row = rows.Nth(i);
            var m = spec.Milestones[i];
            await Expect(row.Locator("[data-milestone-number]")).ToHaveTextAsync((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await row.Locator("[data-field=Title]").FillAsync(m.Title);
            await row.Locator("[data-field=Amount]").FillAsync(m.Amount);
            if (m.DueDate is { } due)
                await row.Locator("[data-field=DueDate]").FillAsync(due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            await row.Locator("[data-field=Deliverable]").FillAsync(m.Deliverable);
        }
        await Expect(rows).ToHaveCountAsync(spec.Milestones.Count);
        await Expect(agency.Locator("#MilestoneTotals")).ToContainTextAsync($"Total {spec.TotalText}");
        await ShotAsync(agency, "contract-form-filled");

        await ClickAsync(agency, agency.Locator("#SaveContract"), "draft-details");
        await Expect(agency.Locator("#ContractState")).ToHaveTextAsync("Draft");
        var contractUrl = agency.Url;
        var contractId = Guid.Parse(contractUrl.Split('/').Last());
        await Expect(agency.Locator("#Milestones tbody tr")).ToHaveCountAsync(spec.Milestones.Count);

        await ClickAsync(agency, agency.Locator("#ProposeContract"), "proposed-with-links");
        await Expect(agency.Locator("#ContractState")).ToHaveTextAsync("Proposed");
        await Expect(agency.Locator("#IssuedLinks")).ToBeVisibleAsync();
        // The agency copies each link with its Copy button (the clipboard is what it would paste into a message).
        await agency.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Base });
        var clientLink = await CopyLinkAsync(agency, "ClientLink");
        var freelancerLink = await CopyLinkAsync(agency, "FreelancerLink");
        await ShotAsync(agency, "links-copied");
        Assert.StartsWith($"{Base}/escrow/p/", clientLink);
        Assert.StartsWith($"{Base}/escrow/p/", freelancerLink);
        Assert.NotEqual(clientLink, freelancerLink);
        var hash = (await agency.Locator("#TermsHash").InnerTextAsync()).Trim();
        Assert.Matches("^[0-9a-f]{64}$", hash);

        // Shown once: a reload no longer shows them.
        await GotoAsync(agency, contractUrl, "links-gone-after-reload");
        await Expect(agency.Locator("#IssuedLinks")).ToHaveCountAsync(0);
        return new DraftedContract(contractId, contractUrl, clientLink, freelancerLink, hash);
    }

    private static async Task<string> CopyLinkAsync(IPage agency, string inputId)
    {
        var button = agency.Locator($"button[data-copy={inputId}]");
        await button.ClickAsync();
        await Expect(button).ToHaveTextAsync("Copied");
        var copied = await agency.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await agency.Locator($"#{inputId}").InputValueAsync(), copied);
        return copied;
    }

    // ---- parties ----

    /// <summary>Opens a party link in its own browser context and accepts the offered terms.</summary>
    public async Task<IPage> OpenAndAcceptAsync(string who, string link, string termsHash)
    {
        var party = await NewPageAsync(who);
        await GotoAsync(party, link, $"{who}-terms");
        await Expect(party.Locator("#PartyRole")).ToHaveTextAsync(who);
        await Expect(party.Locator("#OfferedHash")).ToHaveTextAsync(termsHash);
        await ClickAsync(party, party.Locator("#AcceptTerms"), $"{who}-accepted");
        await Expect(party.Locator("#EscrowNotice")).ToHaveTextAsync("You accepted the terms.");
        return party;
    }

    /// <summary>Reloads a party page so that it shows the latest state (it also reloads itself when it notices a change).</summary>
    public Task RefreshAsync(IPage party, string shot) => GotoAsync(party, party.Url.Split('#')[0], shot);

    public static ILocator Milestone(IPage party, int number) => party.Locator($"#Milestone{number}");

    /// <summary>The client presses "Fund this milestone" and lands on the sandbox checkout.</summary>
    public async Task OpenCheckoutAsync(IPage client, int milestone, string expectedAmount)
    {
        await RefreshAsync(client, $"client-before-funding-{milestone}");
        var fund = Milestone(client, milestone).Locator(".fund-milestone");
        await Expect(fund).ToHaveTextAsync($"Fund this milestone ({expectedAmount})");
        await ClickAsync(client, fund, $"checkout-milestone-{milestone}");
        await Expect(client).ToHaveURLAsync(new Regex("/sandbox/checkout/sbx_inv_[0-9a-f]+$"));
        await Expect(client.Locator("h3")).ToHaveTextAsync($"Pay {expectedAmount}");
        await Expect(client.Locator("#InvoiceStatus")).ToHaveTextAsync("New");
    }

    public async Task PayInFullAsync(IPage client, string expectedDue)
    {
        await Expect(client.Locator("#PayInFull")).ToHaveTextAsync($"Pay in full ({expectedDue})");
        await ClickAsync(client, client.Locator("#PayInFull"), "checkout-paid");
        await Expect(client.Locator("#InvoiceStatus")).ToHaveTextAsync("Settled");
        await Expect(client.Locator("#SandboxError")).ToHaveCountAsync(0);
    }

    public async Task PayAmountAsync(IPage client, string amount, string method, string shot)
    {
        await client.FillAsync("#PayAmount", amount);
        await client.Locator("select[name=method]").SelectOptionAsync(method);
        await ClickAsync(client, client.Locator("#PayPart"), shot);
        await Expect(client.Locator("#SandboxError")).ToHaveCountAsync(0);
    }

    public async Task BackFromCheckoutAsync(IPage client, string link, string shot)
    {
        await ClickAsync(client, client.Locator("#BackToContract"), shot);
        Assert.Equal(link, client.Url);
    }

    public async Task SubmitAsync(IPage freelancer, int milestone, string message, string link, string shot)
    {
        await RefreshAsync(freelancer, $"freelancer-before-{shot}");
        var card = Milestone(freelancer, milestone);
        await card.Locator(".submit-form textarea[name=message]").FillAsync(message);
        await card.Locator(".submit-form textarea[name=links]").FillAsync(link);
        await ClickAsync(freelancer, card.Locator(".submit-deliverable"), shot);
        await Expect(freelancer.Locator("#EscrowNotice")).ToHaveTextAsync("Your delivery was submitted for review.");
        await Expect(Milestone(freelancer, milestone)).ToHaveAttributeAsync("data-state", "Submitted");
    }

    /// <summary>Waits for the claim link of a payout to appear on a party page (made by the background worker) and checks its amount.</summary>
    public async Task<string> WaitForClaimAsync(IPage party, int milestone, string kind, string amount, string shot)
    {
        var claim = Milestone(party, milestone).Locator($".claim[data-kind={kind}]");
        var link = claim.Locator("a.claim-link");
        // Nobody reloads: the page polls its status every few seconds and reloads itself when the contract changed.
        await Expect(link).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 20_000 });
        await party.WaitForLoadStateAsync(LoadState.Load);
        await Expect(claim.Locator("strong")).ToHaveTextAsync(amount);
        await ShotAsync(party, shot);
        var href = await link.GetAttributeAsync("href");
        Assert.Matches($"^{Regex.Escape(Base)}/sandbox/claim/sbx_pp_[0-9a-f]+$", href);
        return href!;
    }

    /// <summary>Opens a claim link in the recipient's context and claims it to an address.</summary>
    public async Task ClaimAsync(IPage party, string claimLink, string amount, string who)
    {
        var page = await party.Context.NewPageAsync();
        await GotoAsync(page, claimLink, $"{who}-claim-page");
        await Expect(page.Locator("#ClaimAmount")).ToHaveTextAsync(amount);
        await page.FillAsync("#Destination", "bcrt1qe2etestdestination0000000000000000000");
        await ClickAsync(page, page.Locator("#ClaimPayout"), $"{who}-claimed");
        await Expect(page.Locator("#ClaimStatus")).ToHaveTextAsync("Paid out to bcrt1qe2etestdestination0000000000000000000.");
        await page.CloseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // closed already
            }
        }
    }

    /// <summary>
    /// Waits (up to 10 s) for problems that contain <paramref name="text"/> and takes them off the record: for a test
    /// that provokes one on purpose, to show it is caught.
    /// </summary>
    public async Task<IReadOnlyList<string>> TakeProblemsAsync(string text)
    {
        for (var waited = 0; ; waited += 100)
        {
            lock (_problems)
            {
                var found = _problems.Where(p => p.Contains(text, StringComparison.Ordinal)).ToList();
                if (found.Count > 0 || waited >= 10_000)
                {
                    _problems.RemoveAll(found.Contains);
                    return found;
                }
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Fails the test when any page had a script error, a failed request or an error status.</summary>
    public void AssertNoProblems()
    {
        string[] problems;
        lock (_problems)
            problems = [.. _problems];
        Assert.True(problems.Length == 0, "Browser problems:\n" + string.Join("\n", problems));
        // The host logged no error or warning while this test ran (its worker, the pages, antiforgery).
        var log = Host.HostLog[_hostLogStart..];
        Assert.False(log.Contains("fail:", StringComparison.Ordinal) || log.Contains("warn:", StringComparison.Ordinal) || log.Contains("crit:", StringComparison.Ordinal),
            "The host logged errors or warnings during this test:\n" + log);
    }

    private static string Safe(string name) => InvalidChars().Replace(name, "-");

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex InvalidChars();
}

public sealed record MilestoneSpec(string Title, string Amount, string Deliverable, DateOnly? DueDate = null);

public sealed record ContractSpec(
    string Title,
    string Currency,
    string TotalText,
    IReadOnlyList<MilestoneSpec> Milestones,
    string FeePercent = "0",
    string FeeFixed = "0",
    string Fx = "FiatProtected",
    string Overpayment = "RollForward",
    int ReviewWindowDays = 14,
    string ClientName = "Carla Client",
    string FreelancerName = "Felix Freelancer",
    string Scope = "Design and build a small web shop.\nTwo rounds of changes included.",
    bool NonCustodial = false);

public sealed record DraftedContract(Guid Id, string Url, string ClientLink, string FreelancerLink, string TermsHash);
