using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// The contract form refuses bad input with a message next to the field, keeps what was typed, and stores nothing:
/// no new contract, and an existing contract stays exactly as it was.
/// </summary>
public sealed class BadInputTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private static readonly string Long = new('x', 100_000);

    /// <summary>Field, bad value, where the message must appear, and a word of the message.</summary>
    public static TheoryData<string, string, string, string> BadFields => new()
    {
        { "Form.Milestones[0].Amount", "0", "Form.Milestones[0].Amount", "above zero" },
        { "Form.Milestones[0].Amount", "-1", "Form.Milestones[0].Amount", "negative" },
        { "Form.Milestones[0].Amount", "0.123456789", "Form.Milestones[0].Amount", "decimals" },
        { "Form.Milestones[0].Amount", "21000001", "Form.Milestones[0].Amount", "largest amount" },
        { "Form.Milestones[0].Amount", "20999999.99999999", "Form.Milestones", "add up to more" },
        { "Form.Milestones[0].Amount", "12abc", "Form.Milestones[0].Amount", "number" },
        { "Form.Milestones[0].Amount", "1e3", "Form.Milestones[0].Amount", "number" },
        { "Form.Milestones[0].Amount", "", "Form.Milestones[0].Amount", "required" },
        { "Form.Milestones[0].Title", "", "Form.Milestones[0].Title", "required" },
        { "Form.Milestones[1].Title", Long, "Form.Milestones[1].Title", "at most 200" },
        { "Form.Milestones[0].Deliverable", Long, "Form.Milestones[0].Deliverable", "at most 5000" },
        { "Form.Milestones[0].DueDate", "2020-01-01", "Form.Milestones[0].DueDate", "in the past" },
        { "Form.Milestones[0].DueDate", "someday", "Form.Milestones[0].DueDate", "date" },
        { "Form.Milestones[0].ReviewWindow", "0", "Form.Milestones[0].ReviewWindow", "1 to 365" },
        { "Form.Milestones[0].ReviewWindow", "9999", "Form.Milestones[0].ReviewWindow", "1 to 365" },
        { "Form.Title", "", "Form.Title", "required" },
        { "Form.Title", "   ", "Form.Title", "required" },
        { "Form.Title", Long, "Form.Title", "at most 200" },
        { "Form.Title", "Bell\u0007", "Form.Title", "control character" },
        { "Form.Scope", Long, "Form.Scope", "at most 20000" },
        { "Form.Client.Name", "", "Form.Client.Name", "required" },
        { "Form.Client.Name", Long, "Form.Client.Name", "at most 200" },
        { "Form.Freelancer.Name", Long, "Form.Freelancer.Name", "at most 200" },
        { "Form.Client.Email", "not-an-email", "Form.Client.Email", "not an email" },
        { "Form.Freelancer.Email", "bob@", "Form.Freelancer.Email", "not an email" },
        { "Form.Freelancer.Email", "", "Form.Freelancer.Email", "required" },
        { "Form.Currency", "XXXXXXX", "Form.Currency", "not a currency" },
        { "Form.Currency", "12", "Form.Currency", "not a currency" },
        { "Form.Currency", "", "Form.Currency", "not a currency" },
        { "Form.Fee.Percent", "51", "Form.Fee.Percent", "between 0 and 50" },
        { "Form.Fee.Percent", "-1", "Form.Fee.Percent", "between 0 and 50" },
        { "Form.Fee.Percent", "1.234", "Form.Fee.Percent", "2 decimals" },
        { "Form.Fee.Percent", "ten", "Form.Fee.Percent", "number" },
        { "Form.Fee.Fixed", "0.000000001", "Form.Fee.Fixed", "decimals" },
        { "Form.Fee.ChargedTo", "Nobody", "page", "not valid" },
        { "Form.Fx", "Sideways", "Form.Fx", "not valid" },
        { "Form.ReviewWindow", "0", "Form.ReviewWindow", "1 to 365" },
        { "Form.ReviewWindow", "9999", "Form.ReviewWindow", "1 to 365" },
        { "Form.ReviewWindow", "two weeks", "Form.ReviewWindow", "not valid" },
        { "Form.ReviewWindow", "", "Form.ReviewWindow", "invalid" },
        { "Form.DisputeResponseWindow", "366", "Form.DisputeResponseWindow", "1 to 365" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Creating_with_bad_input_shows_the_message_next_to_the_field_and_stores_nothing(string field, string value, string messageAt, string words)
    {
        var staff = await app.StaffAsync();
        await staff.OpenAsync(Urls.NewContract());
        var count = await app.CountContractsAsync();

        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid().With(field, value));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        AssertMessage(page, messageAt, words);
        Assert.Equal(count, await app.CountContractsAsync());
        // What was typed is still there to correct.
        if (field == "Form.Title" && value.Length < 1000)
            Assert.Equal(value, page.Get("#Form_Title").GetAttribute("value"));
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Editing_with_bad_input_shows_the_message_and_changes_nothing(string field, string value, string messageAt, string words)
    {
        var staff = await app.StaffAsync();
        var id = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Draft to edit"));
        var before = await app.SnapshotAsync(id);
        var detailsBefore = (await staff.OpenAsync(Urls.Contract(id))).Get("#Milestones").OuterHtml;

        var page = await staff.PostAsync($"{Urls.Contract(id)}/edit", ContractForm.Valid("Draft to edit").With(field, value));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        AssertMessage(page, messageAt, words);
        Assert.Equal(before, await app.SnapshotAsync(id));
        Assert.Equal(detailsBefore, (await staff.OpenAsync(Urls.Contract(id))).Get("#Milestones").OuterHtml);
    }

    [Fact]
    public async Task A_fresh_form_shows_no_error_box()
    {
        var staff = await app.StaffAsync();
        var page = await staff.OpenAsync(Urls.NewContract());
        Assert.Empty(page.Document.QuerySelectorAll(".alert-danger"));
        Assert.Equal("", page.Text("#FormErrors"));
    }

    [Fact]
    public async Task Over_precise_fiat_amounts_are_refused()
    {
        var staff = await app.StaffAsync();
        await staff.OpenAsync(Urls.NewContract());
        var count = await app.CountContractsAsync();
        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid(currency: "USD", amounts: ["1.234", "10"]));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        AssertMessage(page, "Form.Milestones[0].Amount", "more decimals than USD allows (2)");
        var sats = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid(currency: "SATS", amounts: ["1000.5"]));
        AssertMessage(sats, "Form.Milestones[0].Amount", "more decimals than SATS allows (0)");
        Assert.Equal(count, await app.CountContractsAsync());
    }

    [Fact]
    public async Task Too_many_milestones_are_refused()
    {
        var staff = await app.StaffAsync();
        await staff.OpenAsync(Urls.NewContract());
        var count = await app.CountContractsAsync();
        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid(amounts: Enumerable.Repeat("0.001", 101).ToArray()));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        AssertMessage(page, "Form.Milestones", "at most 100 milestones");
        Assert.Equal(count, await app.CountContractsAsync());
    }

    [Fact]
    public async Task Amending_an_active_contract_with_bad_input_changes_nothing()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).FundedAsync(staff, ContractForm.Valid("Active to amend"));
        var before = await app.SnapshotAsync(c.Id);
        var form = ContractForm.Valid("Active to amend");
        var contract = await app.ContractAsync(c.Id);
        for (var i = 0; i < c.MilestoneIds.Count; i++)
        {
            form[$"Form.Milestones[{i}].Id"] = c.MilestoneIds[i].ToString();
            form[$"Form.Milestones[{i}].DueDate"] = contract.Milestones.Single(m => m.Id == c.MilestoneIds[i]).DueDate!.Value.ToString("yyyy-MM-dd");
        }

        // The funded first milestone cannot shrink below what it holds; the currency cannot change.
        var shrink = await staff.PostAsync($"{Urls.Contract(c.Id)}/edit", form.With("Form.Milestones[0].Amount", "0.001"));
        Assert.Equal(HttpStatusCode.OK, shrink.Status);
        Assert.Contains("cannot go below", Flow.ErrorsOn(shrink));
        var currency = await staff.PostAsync($"{Urls.Contract(c.Id)}/edit", form.With("Form.Currency", "SATS").With("Form.Milestones[0].Amount", "1000000").With("Form.Milestones[1].Amount", "2000000"));
        Assert.Contains("currency of an active contract cannot change", Flow.ErrorsOn(currency));
        var edit = await staff.OpenAsync($"{Urls.Contract(c.Id)}/edit");
        Assert.Contains("This contract is active", edit.VisibleText);

        Assert.Equal(before, await app.SnapshotAsync(c.Id));
    }

    private static void AssertMessage(Page page, string field, string words)
    {
        var message = FormErrors.NextTo(page, field);
        Assert.True(message.Length > 0, $"No message next to {field}; the page shows: {Flow.ErrorsOn(page)}");
        Assert.Contains(words, message, StringComparison.OrdinalIgnoreCase);
        Assert.True(message.Length < 500, $"The message next to {field} is {message.Length} characters long");
    }
}
