using System.Diagnostics;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

/// <summary>What the agency's contract page shows: contract state, each milestone's state, each payout's status (oldest first).</summary>
public sealed record Observation(string Contract, IReadOnlyList<string> Milestones, IReadOnlyList<string> Payouts)
{
    public override string ToString() => $"{Contract} | {string.Join(",", Milestones)} | {string.Join(",", Payouts)}";
}

/// <summary>
/// The whole happy path, done by three people through the pages, as a state machine: each step looks at where the
/// contract is and does the next thing a person would do. So the same code drives a fresh run until the host dies,
/// and after the restart carries on from wherever the crash left things, retrying what the crash interrupted
/// (propose again, reissue lost links, fund again, approve again, claim again) and waiting for what the host does
/// by itself (outbox worker, start-up reconciliation).
/// Flow: agency drafts a two-milestone BTC contract and proposes it, both parties accept; for each milestone the
/// client funds it through the sandbox checkout, the freelancer submits, the client approves, the worker makes the
/// claim link, the freelancer claims.
/// </summary>
public sealed class EscrowFlow
{
    public const string Title = "Crash-test contract";
    public static readonly decimal[] Amounts = [0.01m, 0.02m];
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(20);

    private readonly bool[] _paidOut = new bool[Amounts.Length];

    public Person Staff { get; } = new("agency");
    public Person Client { get; } = new("client");
    public Person Freelancer { get; } = new("freelancer");
    public Guid? ContractId { get; private set; }
    public string? ClientLink { get; private set; }
    public string? FreelancerLink { get; private set; }
    /// <summary>Every act done, in order, with the milliseconds since the flow began (for messages).</summary>
    public List<string> Steps { get; } = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Step(string what) => Steps.Add($"{what} @{_clock.ElapsedMilliseconds}");

    /// <summary>Called with an act's name ("pay #1", "approve #2", …) just before it is done (the database fault tests strike there).</summary>
    public Func<string, Task>? BeforeAct { get; set; }

    /// <summary>Called with an act's name just after it was done.</summary>
    public Func<string, Task>? AfterAct { get; set; }

    /// <summary>How many equal payments the client makes into each funding invoice (one: pay in full).</summary>
    public int PaymentsPerInvoice { get; init; } = 1;

    private async Task ActAsync(string name, Func<Task> act)
    {
        if (BeforeAct is not null)
            await BeforeAct(name);
        Step(name);
        await act();
        if (AfterAct is not null)
            await AfterAct(name);
    }

    private string StaffPath(string rest = "") => $"/stores/{HostProcess.StoreId}/plugins/escrow{rest}";
    private string ContractPage => StaffPath($"/contracts/{ContractId}");

    public void Use(HostProcess host)
    {
        Staff.Use(host);
        Client.Use(host);
        Freelancer.Use(host);
    }

    /// <summary>Carries the flow to its end; throws <see cref="HostDiedException"/> when the host dies on the way.</summary>
    public async Task RunToEndAsync(HostProcess host) => await RunUntilAsync(host, _ => false);

    /// <summary>
    /// Carries the flow on until the agency's page shows what <paramref name="reached"/> looks for (true) or the flow is
    /// done (false); throws <see cref="HostDiedException"/> when the host dies on the way.
    /// </summary>
    public async Task<bool> RunUntilAsync(HostProcess host, Func<Observation, bool> reached)
    {
        Use(host);
        await SignInAsync();
        var lastChange = Stopwatch.StartNew();
        var last = "";
        for (var iteration = 0; iteration < 400; iteration++)
        {
            var seen = ContractId is null ? null : await ObserveAsync();
            var signature = $"{seen}|{string.Join(",", _paidOut)}|{ClientLink is null}{FreelancerLink is null}";
            if (signature != last)
            {
                last = signature;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > StuckAfter)
            {
                throw new Xunit.Sdk.XunitException($"The flow made no progress for {StuckAfter.TotalSeconds} s at: {seen}\nSteps: {string.Join(" → ", Steps)}");
            }
            if (seen is not null && reached(seen))
                return true;
            if (!await StepAsync(seen))
                return false;
        }
        throw new Xunit.Sdk.XunitException($"The flow did not finish. Steps: {string.Join(" → ", Steps)}");
    }

    /// <summary>The agency's view of the contract.</summary>
    public async Task<Observation> ObserveAsync()
    {
        var page = await Staff.GetAsync(ContractPage);
        Assert.True(page.Status == System.Net.HttpStatusCode.OK, $"The contract page answered {(int)page.Status}: {page.Excerpt()}");
        var milestones = page.Document.QuerySelectorAll("#Milestones tr[data-milestone]")
            .Select(row => row.QuerySelectorAll("td")[2].TextContent.Trim()).ToList();
        var payouts = page.Document.QuerySelectorAll("#Payouts tbody tr")
            .Select(row => row.QuerySelectorAll("td")[4].TextContent.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0]).ToList();
        return new Observation(page.Get("#ContractState").TextContent.Trim(), milestones, payouts);
    }

    /// <summary>One act (or one short wait). False when the flow is done.</summary>
    private async Task<bool> StepAsync(Observation? seen)
    {
        if (ContractId is null)
        {
            await CreateDraftAsync();
            return true;
        }
        switch (seen!.Contract)
        {
            case "Draft":
                await ProposeAsync();
                return true;
            case "Proposed" or "Active" or "Completed" when ClientLink is null || FreelancerLink is null:
                // The links are shown once, on the answer to propose; that answer was lost with the host. Reissue.
                await ReissueLinksAsync();
                return true;
            case "Proposed":
                if (!await AcceptAsync(Client, ClientLink!) && !await AcceptAsync(Freelancer, FreelancerLink!))
                    await Task.Delay(200);
                return true;
            case "Active" or "Completed":
                return await MilestoneStepAsync(seen);
            default:
                throw new Xunit.Sdk.XunitException($"Unexpected contract state {seen}.");
        }
    }

    private async Task<bool> MilestoneStepAsync(Observation seen)
    {
        for (var i = 0; i < seen.Milestones.Count; i++)
        {
            var n = i + 1;
            switch (seen.Milestones[i])
            {
                case "Pending":
                    await FundAsync(n);
                    return true;
                case "Funded":
                    await PartyActAsync(Freelancer, FreelancerLink!, $"#Milestone{n} .submit-deliverable", $"submit #{n}",
                        ("message", $"Delivery of milestone {n}."), ("links", "https://example.test/delivery"));
                    return true;
                case "Submitted":
                    await PartyActAsync(Client, ClientLink!, $"#Milestone{n} .approve-milestone", $"approve #{n}");
                    return true;
                case "Approved":
                    // The outbox worker makes the pull payment; the milestone is released when its claim link exists.
                    await Task.Delay(100);
                    return true;
                case "Released" when !_paidOut[i]:
                    await ClaimAsync(n);
                    return true;
                case "Released":
                    continue;
                default:
                    throw new Xunit.Sdk.XunitException($"Unexpected state of milestone {n}: {seen}.");
            }
        }
        if (seen.Contract != "Completed")
        {
            await Task.Delay(100);
            return true;
        }
        return false;
    }

    private async Task SignInAsync()
    {
        var login = await Staff.GetAsync("/login");
        if (login.IsRedirect || login.Find("#LoginButton") is null)
            return;
        var done = await Staff.SubmitNoFollowAsync(login, "#LoginButton", ("Email", HostProcess.AdminEmail), ("Password", HostProcess.AdminPassword));
        Assert.True(done.IsRedirect, $"Sign-in failed: {done.Excerpt()}");
    }

    private async Task CreateDraftAsync()
    {
        var form = await Staff.OpenAsync(StaffPath("/contracts/new"));
        var fields = new Dictionary<string, string>
        {
            ["Form.Title"] = Title,
            ["Form.Scope"] = "A site in two parts, each paid on approval.",
            ["Form.Client.Name"] = "Alice Client",
            ["Form.Client.Email"] = "alice@client.test",
            ["Form.Freelancer.Name"] = "Bob Freelancer",
            ["Form.Freelancer.Email"] = "bob@freelancer.test",
            ["Form.Currency"] = "BTC",
            ["Form.Fx"] = "FiatProtected",
            ["Form.Overpayment"] = "RollForward",
            ["Form.Fee.Percent"] = "0",
            ["Form.Fee.Fixed"] = "0",
            ["Form.Fee.ChargedTo"] = "Freelancer",
            ["Form.ReviewWindow"] = "14",
            ["Form.DisputeResponseWindow"] = "7",
        };
        for (var i = 0; i < Amounts.Length; i++)
        {
            fields[$"Form.Milestones[{i}].Title"] = $"Part {i + 1}";
            fields[$"Form.Milestones[{i}].Deliverable"] = $"Deliverable {i + 1}";
            fields[$"Form.Milestones[{i}].Amount"] = Amounts[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            fields[$"Form.Milestones[{i}].DueDate"] = DateTime.UtcNow.AddDays(60 + i).ToString("yyyy-MM-dd");
            fields[$"Form.Milestones[{i}].ReviewWindow"] = "";
        }
        await ActAsync("create draft", async () =>
        {
            var answer = await Staff.PostAsync(StaffPath("/contracts/new"), form, fields);
            Assert.True(answer.IsRedirect, $"The draft was not created: {answer.Excerpt()}");
            ContractId = Guid.Parse(answer.Location!.OriginalString.TrimEnd('/').Split('/').Last());
        });
    }

    private Task ProposeAsync() => ActAsync("propose", async () =>
    {
        var details = await Staff.OpenAsync(ContractPage);
        var after = await Staff.SubmitAsync(details, "#ProposeContract");
        Assert.Null(after.Find("#EscrowError"));
        ClientLink = after.Get("#ClientLink").GetAttribute("value");
        FreelancerLink = after.Get("#FreelancerLink").GetAttribute("value");
    });

    private async Task ReissueLinksAsync()
    {
        foreach (var role in new[] { "Client", "Freelancer" })
        {
            if ((role == "Client" ? ClientLink : FreelancerLink) is not null)
                continue;
            Step($"reissue {role} link");
            var details = await Staff.OpenAsync(ContractPage);
            var after = await Staff.SubmitAsync(details, $"#Rotate{role}");
            Assert.Null(after.Find("#EscrowError"));
            var link = after.Get($"#{role}Link").GetAttribute("value");
            if (role == "Client")
                ClientLink = link;
            else
                FreelancerLink = link;
        }
    }

    /// <summary>Accepts the terms if this party's page asks for it; false when there was nothing to accept.</summary>
    private async Task<bool> AcceptAsync(Person party, string link)
    {
        var page = await party.OpenAsync(link);
        if (page.Find("#AcceptTerms") is null)
            return false;
        await ActAsync($"{party.Name} accepts", async () =>
        {
            var after = await party.SubmitAsync(page, "#AcceptTerms");
            Assert.Null(after.Find("#EscrowError"));
        });
        return true;
    }

    private Task PartyActAsync(Person party, string link, string button, string step, params (string Name, string Value)[] values) => ActAsync(step, async () =>
    {
        var page = await party.OpenAsync(link);
        var after = await party.SubmitAsync(page, button, values);
        // Acts that move money ask for a second, deliberate step.
        if (after.Find("#ConfirmButton") is not null)
            after = await party.SubmitAsync(after, "#ConfirmButton");
        Assert.True(after.Find("#EscrowError") is null, $"{step}: {after.Find("#EscrowError")?.TextContent}");
    });

    /// <summary>The client funds milestone <paramref name="n"/> and pays the sandbox invoice in full (unless it is paid already).</summary>
    private async Task FundAsync(int n)
    {
        var checkout = await OpenCheckoutAsync(n);
        var status = checkout.Get("#InvoiceStatus").TextContent.Trim();
        if (status != "New")
        {
            // Paid before the crash: the escrow hears of it from the gateway (reconciliation), not from paying twice.
            Step($"checkout #{n} already {status}");
            await Task.Delay(200);
            return;
        }
        await ActAsync($"pay #{n}", () => PayAsync(n, checkout));
    }

    /// <summary>The client funds milestone <paramref name="n"/>: the sandbox checkout of its invoice.</summary>
    public async Task<Page> OpenCheckoutAsync(int n)
    {
        Page? answer = null;
        await ActAsync($"fund #{n}", async () =>
        {
            var page = await Client.OpenAsync(ClientLink!);
            answer = await Client.SubmitNoFollowAsync(page, $"#Milestone{n} .fund-milestone");
            Assert.True(answer.IsRedirect && answer.Location!.OriginalString.Contains("/sandbox/checkout/"),
                $"Funding did not lead to a checkout: {(int)answer.Status} {answer.Location} {(await Client.FollowAsync(answer)).Find("#EscrowError")?.TextContent}");
        });
        return await Client.FollowAsync(answer!);
    }

    /// <summary>Pays milestone <paramref name="n"/>'s invoice in <see cref="PaymentsPerInvoice"/> payments (the last one pays what is due).</summary>
    public async Task PayAsync(int n, Page checkout)
    {
        var part = Math.Round(Amounts[n - 1] / PaymentsPerInvoice, 8, MidpointRounding.ToZero);
        for (var i = 1; i < PaymentsPerInvoice; i++)
        {
            checkout = await Client.SubmitAsync(checkout, "#PayPart", ("amount", part.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal("New", checkout.Get("#InvoiceStatus").TextContent.Trim());
        }
        var paid = await Client.SubmitAsync(checkout, "#PayInFull");
        Assert.Equal("Settled", paid.Get("#InvoiceStatus").TextContent.Trim());
    }

    /// <summary>The freelancer opens the claim link of milestone <paramref name="n"/> and claims it (unless it was claimed already).</summary>
    private async Task ClaimAsync(int n)
    {
        var page = await Freelancer.OpenAsync(FreelancerLink!);
        var claim = page.Get($"#Milestone{n} .claim");
        if (claim.TextContent.Contains("(paid out)"))
        {
            _paidOut[n - 1] = true;
            Step($"#{n} paid out");
            return;
        }
        var href = claim.QuerySelector(".claim-link")?.GetAttribute("href")
            ?? throw new Xunit.Sdk.XunitException($"Milestone {n} is released but shows no claim link: {claim.TextContent.Trim()}");
        var claimPage = await Freelancer.OpenAsync(href);
        if (claimPage.Find("#ClaimPayout") is null)
        {
            // Claimed before the crash: the escrow hears of it from the gateway.
            Step($"claim #{n} already done: {claimPage.Find("#ClaimStatus")?.TextContent.Trim()}");
            await Task.Delay(200);
            return;
        }
        await ActAsync($"claim #{n}", async () =>
        {
            var after = await Freelancer.SubmitAsync(claimPage, "#ClaimPayout", ("destination", "bcrt1qfaulttestsdestination0000000000000"));
            Assert.True(after.Find("#SandboxError") is null, after.Find("#SandboxError")?.TextContent);
        });
    }
}
