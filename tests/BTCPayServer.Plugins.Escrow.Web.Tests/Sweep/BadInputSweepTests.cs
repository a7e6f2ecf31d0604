using System.Net;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

// The bad input sweep: every field of every staff form (contract, settings, ruling, cancellation, sign-in, list filters),
// party form and sandbox form receives each of the 52 BadValues, 3,536 requests in all with the clock's JSON body and
// the PostgreSQL pass below. Each answer is a 4xx or a page with a clear message and the database as it was; or, for a
// value that is fine for the field (free text), the value is stored as sent and shown encoded. Three classes, three
// hosts: they run side by side.

/// <summary>The contract form (edit and new), the contract list's filters and the sign-in form.</summary>
public sealed class StaffFormSweepTests(SweepApp app, ITestOutputHelper output) : IClassFixture<SweepApp>
{
    private static readonly int Values = BadValues.All.Count;

    /// <summary>The contract form, through "edit" on a draft: 20 fields, milestone fields included.</summary>
    [Fact]
    public async Task Every_field_of_the_contract_form_refuses_bad_values_and_changes_nothing()
    {
        var staff = app.Staff;
        var draft = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Sweep draft", amounts: ["0.01", "0.02"]));
        var valid = ContractForm.Valid("Sweep draft", amounts: ["0.01", "0.02"]);
        var contract = await app.ContractAsync(draft);
        for (var i = 0; i < contract.Milestones.Count; i++)
            valid[$"Form.Milestones[{i}].Id"] = contract.Milestones.Single(m => m.Number == i + 1).Id.ToString();
        var url = $"{Urls.Contract(draft)}/edit";

        SweepField Field(string name, int? max = null, Func<Contract, string>? stored = null, bool onDetails = false) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync(url, valid.With(name, value)),
            Snapshot = () => app.SnapshotAsync(draft),
            MaxLength = max,
            Stored = stored is null ? null : async () => stored(await app.ContractAsync(draft)),
            Display = b => b.GetAsync(onDetails ? Urls.Contract(draft) : url),
        };
        Milestone First(Contract c) => c.Milestones.Single(m => m.Number == 1);
        var fields = new[]
        {
            Field("Form.Title", 200, c => c.Title, onDetails: true),
            Field("Form.Scope", 20_000, c => c.Scope),
            Field("Form.Client.Name", 200, c => c.Client.Name, onDetails: true),
            Field("Form.Client.Email", 320, c => c.Client.Email),
            Field("Form.Freelancer.Name", 200, c => c.Freelancer.Name, onDetails: true),
            Field("Form.Freelancer.Email", 320, c => c.Freelancer.Email),
            Field("Form.Currency"),
            Field("Form.Fx"),
            Field("Form.Overpayment"),
            Field("Form.Fee.Percent"),
            Field("Form.Fee.Fixed"),
            Field("Form.Fee.ChargedTo"),
            Field("Form.ReviewWindow"),
            Field("Form.DisputeResponseWindow"),
            Field("Form.Milestones[0].Id"),
            Field("Form.Milestones[0].Title", 200, c => First(c).Title, onDetails: true),
            Field("Form.Milestones[0].Deliverable", 5_000, c => First(c).Deliverable),
            Field("Form.Milestones[0].Amount"),
            Field("Form.Milestones[0].DueDate"),
            Field("Form.Milestones[0].ReviewWindow"),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * Values, sweeper.Sent);
    }

    /// <summary>The new contract form on the fields that decide most (the others are the same form, swept above).</summary>
    [Fact]
    public async Task The_new_contract_form_refuses_bad_values_and_creates_nothing()
    {
        var staff = app.Staff;
        var valid = ContractForm.Valid("Sweep new", amounts: ["0.01"]);
        Page? last = null;
        Guid Created() => Guid.Parse(last!.Location!.OriginalString.Split('/').Last());
        SweepField Field(string name, int? max = null, Func<Contract, string>? stored = null) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(staff),
            Send = async (b, value) => last = await b.PostAsync(Urls.NewContract(), valid.With(name, value)),
            Snapshot = async () => $"{await app.CountContractsAsync()}",
            MaxLength = max,
            Stored = stored is null ? null : async () => stored(await app.ContractAsync(Created())),
            Display = b => b.GetAsync(Urls.Contract(Created())),
        };
        var fields = new[]
        {
            Field("Form.Title", 200, c => c.Title),
            Field("Form.Client.Email", 320, c => c.Client.Email),
            Field("Form.Currency"),
            Field("Form.Milestones[0].Amount"),
            Field("Form.Milestones[0].DueDate"),
            Field("Form.Milestones[0].Title", 200, c => c.Milestones[0].Title),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * Values, sweeper.Sent);
    }

    /// <summary>The contract list's filter form (search, state, page), a GET.</summary>
    [Fact]
    public async Task The_contract_list_filters_answer_every_bad_value_with_a_page()
    {
        var sweeper = new Sweeper(output);
        await sweeper.RunQueryAsync(app.Staff, Urls.Staff(), ["search", "state", "page"]);
        Assert.Equal(3 * Values, sweeper.Sent);
    }

    /// <summary>The standalone host's sign-in form: no bad value signs anyone in.</summary>
    [Fact]
    public async Task The_sign_in_form_refuses_bad_values()
    {
        var visitor = app.NewBrowser();
        SweepField Field(string name) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(visitor),
            Send = (b, value) => b.PostAsync("/login", name == "Email"
                ? [new("Email", value), new("Password", EscrowApp.AdminPassword)]
                : [new("Email", EscrowApp.AdminEmail), new("Password", value)]),
            Snapshot = async () => $"{(await visitor.GetAsync(Urls.Staff())).Status}",
            Reset = () => throw new Xunit.Sdk.XunitException($"A bad {name} signed in."),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync([Field("Email"), Field("Password")]);
        Assert.Equal(2 * Values, sweeper.Sent);
        Assert.Equal(0, sweeper.Accepted);
    }

}

/// <summary>The store settings form, the ruling form and the reason for cancelling a contract.</summary>
public sealed class DecisionFormSweepTests(SweepApp app, ITestOutputHelper output) : IClassFixture<SweepApp>
{
    private static readonly int Values = BadValues.All.Count;

    /// <summary>The store settings form: 13 fields; an accepted value is put back so the other sweeps keep their defaults.</summary>
    [Fact]
    public async Task Every_field_of_the_settings_form_refuses_bad_values_and_saves_nothing()
    {
        var staff = app.Staff;
        var url = $"{Urls.Staff()}/settings";
        var page = await staff.OpenAsync(url);
        var form = (AngleSharp.Html.Dom.IHtmlFormElement)page.Get("#SettingsForm");
        var valid = form.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(e => e.Name is { Length: > 0 } && e.Name != "__RequestVerificationToken" && (e.Type is not ("checkbox" or "radio") || e.IsChecked))
            .Select(e => new KeyValuePair<string, string>(e.Name!, e.Value ?? ""))
            .Concat(form.Elements.OfType<AngleSharp.Html.Dom.IHtmlSelectElement>().Select(s => new KeyValuePair<string, string>(s.Name!, s.Value ?? "")))
            .ToList();
        var defaults = await app.SettingsSnapshotAsync();

        SweepField Field(string name) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync(url, valid.Where(f => f.Key != name).Append(new(name, value))),
            Snapshot = app.SettingsSnapshotAsync,
            Display = b => b.GetAsync(url),
            Reset = async () =>
            {
                Assert.True((await staff.PostAsync(url, valid)).IsRedirect);
                Assert.Equal(defaults, await app.SettingsSnapshotAsync());
            },
        };
        var fields = new[]
        {
            "DefaultCurrency", "DefaultFx", "DefaultFeePercent", "DefaultFeeFixed", "DefaultFeePayer", "DefaultOverpayment",
            "DefaultReviewWindowDays", "DefaultDisputeWindowDays", "PaymentMethods", "PayoutMethods", "AutoApproveClaims",
            "EmailsOn", "AgencyEmails",
        }.Select(Field).ToArray();
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * Values, sweeper.Sent);
        Assert.Equal(defaults, await app.SettingsSnapshotAsync());
    }

    /// <summary>The ruling form (unit, share, reason) on escalated disputes, and the reason for cancelling a contract.</summary>
    [Fact]
    public async Task The_ruling_and_cancellation_forms_refuse_bad_values_and_change_nothing()
    {
        var staff = app.Staff;
        var dispute = await app.DisputedMilestoneAsync(escalate: true);
        var valid = new Dictionary<string, string> { ["Form.Unit"] = "Percent", ["Form.FreelancerShare"] = "50", ["Form.Reason"] = "Ruling after review", ["confirm"] = "yes" };
        SweepField Ruling(string name, int? max = null) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync(Urls.Dispute(dispute.Contract.Id, dispute.MilestoneId), valid.With(name, value)),
            Snapshot = () => app.SnapshotAsync(dispute.Contract.Id),
            MaxLength = max,
            Stored = name == "Form.Reason" ? async () => SweepApp.LastDispute(await app.ContractAsync(dispute.Contract.Id), dispute.MilestoneId)!.RulingReason : null,
            Display = b => b.GetAsync(Urls.Party(dispute.Contract.ClientToken)),
            Reset = async () =>
            {
                await app.SettledAsync(dispute.Contract.Id);
                dispute = await app.DisputedMilestoneAsync(escalate: true);
            },
        };

        var target = await app.NewContractAsync(1);
        var cancel = new SweepField
        {
            Name = "reason (cancel)",
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync($"{Urls.Contract(target.Id)}/cancel", [new("reason", value), new("confirm", "yes")]),
            Snapshot = () => app.SnapshotAsync(target.Id),
            MaxLength = 2_000,
            Display = b => b.GetAsync(Urls.Contract(target.Id)),
            Reset = async () =>
            {
                Assert.Equal(ContractState.Cancelled, (await app.ContractAsync(target.Id)).State);
                target = await app.NewContractAsync(1);
            },
        };
        var fields = new[] { Ruling("Form.Unit"), Ruling("Form.FreelancerShare"), Ruling("Form.Reason", Dispute.MaxTextLength), cancel };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * Values, sweeper.Sent);
    }

}

/// <summary>The party forms and the sandbox's checkout and claim forms.</summary>
public sealed class PartyFormSweepTests(SweepApp app, ITestOutputHelper output) : IClassFixture<SweepApp>
{
    private static readonly int Values = BadValues.All.Count;

    /// <summary>Every party form: terms hash, milestones to fund, delivery (message, links, file hashes), change request,
    /// dispute reason, message, split amount and note, and the answer to a proposal.</summary>
    [Fact]
    public async Task Every_field_of_the_party_forms_refuses_bad_values_and_changes_nothing()
    {
        var proposed = await app.NewContractAsync(2, accept: false);
        var accept = PartyField("termsHash", () => proposed, c => c.ClientUrl + "/accept", _ => [],
            reset: async () => proposed = await app.NewContractAsync(2, accept: false));

        var unfunded = await app.NewContractAsync(3);
        var fund = PartyField("milestoneIds", () => unfunded, c => c.ClientUrl + "/fund", _ => [],
            reset: async () => unfunded = await app.NewContractAsync(3));

        var delivering = await app.FundedMilestoneAsync();
        Func<Task<string?>> Entry(Func<ReviewEntry, string> pick) => async () =>
            SweepApp.LastEntry(await app.ContractAsync(delivering.Contract.Id), delivering.MilestoneId) is { } e ? pick(e) : null;
        Func<Task> backToChanges = () => app.RequestChangesAsync(delivering.Contract, delivering.MilestoneId);
        var submitForm = new Dictionary<string, string> { ["message"] = "Delivered.", ["links"] = "https://example.test/delivery", ["fileHashes"] = "" };
        SweepField Submit(string name, int max, Func<ReviewEntry, string> stored) => PartyField(name, () => delivering.Contract,
            c => $"{c.FreelancerUrl}/milestones/{delivering.MilestoneId}/submit", value => submitForm.With(name, value),
            max, Entry(stored), freelancer: true, reset: backToChanges);

        var reviewing = await app.FundedMilestoneAsync();
        await app.SubmitAsync(reviewing.Contract, reviewing.MilestoneId);
        var changes = PartyField("message (changes)", () => reviewing.Contract, c => $"{c.ClientUrl}/milestones/{reviewing.MilestoneId}/changes",
            value => new() { ["message"] = value }, ReviewEntry.MaxMessageLength,
            async () => SweepApp.LastEntry(await app.ContractAsync(reviewing.Contract.Id), reviewing.MilestoneId)!.Message,
            reset: () => app.SubmitAsync(reviewing.Contract, reviewing.MilestoneId));

        var disputable = await app.FundedMilestoneAsync();
        var dispute = PartyField("reason (dispute)", () => disputable.Contract, c => $"{c.ClientUrl}/milestones/{disputable.MilestoneId}/dispute",
            value => new() { ["reason"] = value }, Dispute.MaxTextLength,
            async () => SweepApp.LastDispute(await app.ContractAsync(disputable.Contract.Id), disputable.MilestoneId)?.Reason,
            reset: async () => disputable = await app.FundedMilestoneAsync());

        var open = await app.DisputedMilestoneAsync(escalate: false);
        Func<Task<Dispute>> OpenDispute() => async () => SweepApp.LastDispute(await app.ContractAsync(open.Contract.Id), open.MilestoneId)!;
        var message = PartyField("text (dispute message)", () => open.Contract, c => $"{c.FreelancerUrl}/milestones/{open.MilestoneId}/dispute/message",
            value => new() { ["text"] = value }, Dispute.MaxTextLength, async () => (await OpenDispute()()).Messages.LastOrDefault()?.Text, freelancer: true,
            // A party may post only so many messages an hour: each accepted value gets a fresh dispute.
            reset: async () => open = await app.DisputedMilestoneAsync(escalate: false));
        var splitForm = new Dictionary<string, string> { ["freelancerAmount"] = "0.0005", ["note"] = "Half each" };
        var amount = PartyField("freelancerAmount", () => open.Contract, c => $"{c.FreelancerUrl}/milestones/{open.MilestoneId}/dispute/propose",
            value => splitForm.With("freelancerAmount", value), freelancer: true);
        var note = PartyField("note", () => open.Contract, c => $"{c.FreelancerUrl}/milestones/{open.MilestoneId}/dispute/propose",
            value => splitForm.With("note", value), Dispute.MaxTextLength, async () => (await OpenDispute()()).OpenProposal?.Note, freelancer: true);

        var proposal = await app.ProposalAsync();
        var answer = PartyField("accept", () => proposal.Contract,
            c => $"{c.ClientUrl}/milestones/{proposal.MilestoneId}/dispute/proposals/{proposal.ProposalId}/answer", value => new() { ["accept"] = value, ["confirm"] = "yes" },
            reset: async () =>
            {
                await app.SettledAsync(proposal.Contract.Id);
                proposal = await app.ProposalAsync();
            });

        var fields = new[]
        {
            accept, fund,
            Submit("message", ReviewEntry.MaxMessageLength, e => e.Message),
            Submit("links", ReviewEntry.MaxLinkLength, e => string.Join("\n", e.Links)),
            Submit("fileHashes", 64, e => string.Join("\n", e.FileHashes)),
            changes, dispute, message, amount, note, answer,
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * Values, sweeper.Sent);
    }

    /// <summary>The sandbox's checkout (amount to pay) and claim (destination) forms.</summary>
    [Fact]
    public async Task The_sandbox_forms_refuse_bad_values_and_change_nothing()
    {
        var browser = app.NewBrowser();
        var paying = await app.NewContractAsync(3);
        var checkout = await app.WithAsync(sp => sp.GetRequiredService<PartyActions>()
            .FundAsync(paying.ClientToken, [paying.MilestoneIds[0]], _ => "http://localhost/", CancellationToken.None));
        var invoiceUrl = new Uri(checkout.CheckoutLink).AbsolutePath;
        var pay = new SweepField
        {
            Name = "amount (sandbox pay)",
            Browser = () => Task.FromResult(browser),
            Send = (b, value) => b.PostAsync($"{invoiceUrl}/pay", [new("amount", value), new("method", "onchain")]),
            Snapshot = async () => $"{await app.SnapshotAsync(paying.Id)}|{await app.SandboxSnapshotAsync(paying.Id)}",
            Display = b => b.GetAsync(invoiceUrl),
        };

        var claim = await app.PullPaymentAsync();
        var destination = new SweepField
        {
            Name = "destination (sandbox claim)",
            Browser = () => Task.FromResult(browser),
            Send = (b, value) => b.PostAsync($"/sandbox/claim/{claim.PullPaymentId}", [new("destination", value)]),
            Snapshot = async () => $"{await app.SnapshotAsync(claim.Contract.Id)}|{await app.SandboxSnapshotAsync(claim.Contract.Id)}",
            MaxLength = 500,
            Stored = () => app.DestinationAsync(claim.PullPaymentId),
            Display = b => b.GetAsync($"/sandbox/claim/{claim.PullPaymentId}"),
            Reset = async () => claim = await app.PullPaymentAsync(),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync([pay, destination]);
        Assert.Equal(2 * Values, sweeper.Sent);
    }

    private SweepField PartyField(string name, Func<SweepContract> target, Func<SweepContract, string> url, Func<string, Dictionary<string, string>> form,
        int? max = null, Func<Task<string?>>? stored = null, bool freelancer = false, Func<Task>? reset = null)
    {
        var field = name.Split(' ')[0];
        return new SweepField
        {
            Name = name,
            Browser = app.PartyBrowserAsync,
            Send = (b, value) =>
            {
                var fields = form(value);
                if (fields.Count == 0)
                    fields[field] = value;
                return b.PostAsync(url(target()), fields);
            },
            Snapshot = () => app.SnapshotAsync(target().Id),
            MaxLength = max,
            Stored = stored,
            Display = b => b.GetAsync(freelancer ? target().FreelancerUrl : target().ClientUrl),
            Reset = reset,
        };
    }
}

/// <summary>The sandbox clock's JSON body: each bad value as the hours (a string, and raw where it is JSON) and as the whole body.</summary>
public sealed class ClockInputSweepTests(EscrowApp app, ITestOutputHelper output) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_clock_refuses_every_bad_body_with_problem_details_and_stays_put()
    {
        var browser = app.NewBrowser();
        async Task<double> Offset() => JsonDocument.Parse((await browser.GetAsync("/sandbox/clock")).Body).RootElement.GetProperty("offsetHours").GetDouble();
        var bodies = BadValues.All.SelectMany(v => new[]
        {
            (v.Name + " as a string", $"{{\"hours\": {JsonSerializer.Serialize(v.Text)}}}"),
            (v.Name + " raw", $"{{\"hours\": {v.Text}}}"),
            (v.Name + " as the body", v.Text),
        }).ToList();
        int refused = 0, accepted = 0;
        foreach (var (name, body) in bodies)
        {
            var before = await Offset();
            var answer = await browser.SendJsonAsync("/sandbox/clock/advance", body);
            if (answer.Status == HttpStatusCode.OK)
            {
                // Only a number of hours in range moves the clock, and by that much.
                accepted++;
                var hours = JsonDocument.Parse(body).RootElement.GetProperty("hours");
                var value = hours.ValueKind == JsonValueKind.Number ? hours.GetDouble() : double.Parse(hours.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(value, double.Epsilon, 87_600);
                Assert.Equal(before + value, await Offset(), 6);
                continue;
            }
            refused++;
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{name}: {(int)answer.Status} {answer.Excerpt(300)}");
            Assert.Equal("application/problem+json", answer.ContentType);
            var detail = JsonDocument.Parse(answer.Body).RootElement.GetProperty("detail").GetString();
            Assert.Contains("hours", detail);
            Assert.DoesNotContain("Exception", answer.Body);
            Assert.Equal(before, await Offset());
        }
        output.WriteLine($"{bodies.Count} clock bodies: {refused} refused, {accepted} accepted");
        Assert.Equal(3 * BadValues.All.Count, bodies.Count);
    }
}

/// <summary>
/// The same sweep where storage differs most: on PostgreSQL (whose text refuses NUL, and whose LIKE sees every
/// character), the contract list's filters and the contract form's free-text fields.
/// </summary>
public sealed class PostgresInputSweepTests(PostgresEscrowApp app, ITestOutputHelper output) : IClassFixture<PostgresEscrowApp>
{
    [Fact]
    public async Task Bad_values_in_the_list_filters_and_the_contract_form_behave_the_same_on_postgres()
    {
        var staff = await app.StaffAsync();
        var draft = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Sweep draft on PostgreSQL"));
        var valid = ContractForm.Valid("Sweep draft on PostgreSQL");
        var url = $"{Urls.Contract(draft)}/edit";
        SweepField Field(string name, int max, Func<Contract, string> stored) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync(url, valid.With(name, value)),
            Snapshot = () => app.SnapshotAsync(draft),
            MaxLength = max,
            Stored = async () => stored(await app.ContractAsync(draft)),
            Display = b => b.GetAsync(Urls.Contract(draft)),
        };
        var fields = new[]
        {
            Field("Form.Title", 200, c => c.Title),
            Field("Form.Client.Name", 200, c => c.Client.Name),
            Field("Form.Milestones[0].Title", 200, c => c.Milestones.Single(m => m.Number == 1).Title),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        await sweeper.RunQueryAsync(staff, Urls.Staff(), ["search", "state", "page"]);
        Assert.Equal(6 * BadValues.All.Count, sweeper.Sent);
    }
}
