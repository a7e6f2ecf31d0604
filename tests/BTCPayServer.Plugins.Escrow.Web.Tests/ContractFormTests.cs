using System.Net;
using System.Text.RegularExpressions;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The contract form reads what people type the way they mean it, and says what is wrong once.</summary>
public sealed partial class ContractFormTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task Amounts_with_thousands_separators_create_the_milestones_they_say()
    {
        var staff = await app.StaffAsync();
        var id = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Grouped", "USD", "1,000.00", "2 500.50", "12,345"));

        var amounts = (await app.ContractAsync(id)).Milestones.OrderBy(m => m.Number).Select(m => m.Amount.Amount).ToList();
        Assert.Equal([1000.00m, 2500.50m, 12345m], amounts);
    }

    [Theory]
    [InlineData("Form.Milestones[0].Amount", "1,5", "dot before the decimals")]
    [InlineData("Form.Milestones[0].Amount", "1.000,50", "dot before the decimals")]
    [InlineData("Form.Milestones[0].Amount", "12abc", "number")]
    [InlineData("Form.Milestones[0].Amount", "0", "above zero")]
    [InlineData("Form.Milestones[0].Amount", "", "required")]
    [InlineData("Form.Fee.Percent", "ten", "number")]
    [InlineData("Form.Fee.Fixed", "1,5", "dot before the decimals")]
    public async Task A_bad_amount_is_refused_with_exactly_one_message(string field, string value, string word)
    {
        var staff = await app.StaffAsync();
        var before = await app.CountContractsAsync();
        await staff.OpenAsync(Urls.NewContract());

        var page = await staff.PostAsync(Urls.NewContract(), ContractForm.Valid("Bad amount", "USD").With(field, value));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var message = FormErrors.NextTo(page, field);
        Assert.Contains(word, message);
        Assert.Single(Regex.Matches(page.Document.Body!.TextContent, Regex.Escape(message)));
        Assert.Equal(before, await app.CountContractsAsync());
    }

    [Fact]
    public async Task Emptied_fee_fields_mean_no_fee()
    {
        var staff = await app.StaffAsync();
        var id = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("No fee", "USD").With("Form.Fee.Fixed", "").With("Form.Fee.Percent", " "));

        var fee = (await app.ContractAsync(id)).CurrentTerms().Fee;
        Assert.Equal(0m, fee.FixedPerMilestone.Amount);
        Assert.Equal("USD", fee.FixedPerMilestone.Currency);
        Assert.Equal(0m, fee.Percent);
    }

    [Fact]
    public async Task An_emptied_default_fixed_fee_is_saved_as_zero()
    {
        var staff = await app.StaffAsync();
        var settingsUrl = $"{Urls.Staff()}/settings";
        var page = await staff.OpenAsync(settingsUrl);

        var saved = await staff.SubmitAsync(page, "#SaveSettings", ("DefaultFeeFixed", ""), ("DefaultFeePercent", "1"));

        Assert.Contains("Settings saved", saved.Text("#SettingsSaved"));
        var form = await staff.OpenAsync(Urls.NewContract());
        Assert.Equal("0", form.Get("[name='Form.Fee.Fixed']").GetAttribute("value"));
    }

    [Theory]
    [InlineData("BTC", "0.01")]
    [InlineData("SATS", "100,000")]
    public async Task A_bitcoin_contract_ignores_a_posted_fx_policy(string currency, string amount)
    {
        var staff = await app.StaffAsync();
        var id = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Bitcoin FX", currency, amount).With("Form.Fx", "BtcLocked"));

        Assert.Equal(FxPolicy.NotApplicable, (await app.ContractAsync(id)).CurrentTerms().Fx);
        // The choice sits in a block the form's script hides for bitcoin currencies.
        var edit = await staff.OpenAsync($"{Urls.Contract(id)}/edit");
        Assert.NotNull(edit.Find("#FxPolicy [name='Form.Fx']"));
    }

    [Fact]
    public async Task A_fiat_contract_keeps_its_fx_policy()
    {
        var staff = await app.StaffAsync();
        var id = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Fiat FX", "EUR").With("Form.Fx", "BtcLocked"));

        Assert.Equal(FxPolicy.BtcLocked, (await app.ContractAsync(id)).CurrentTerms().Fx);
    }

    [Fact]
    public async Task Dates_are_shown_as_iso_dates_on_every_page_and_typed_the_same_way()
    {
        var staff = await app.StaffAsync();
        var due = DateTime.UtcNow.AddDays(40).ToString("yyyy-MM-dd");
        var c = await new Flow(app).ActiveAsync(staff, ContractForm.Valid("Dates", "USD").With("Form.Milestones[0].DueDate", due));

        var details = await staff.OpenAsync(Urls.Contract(c.Id));
        Assert.Equal(due, details.Get("#Milestones tr[data-milestone='1'] td:last-child").TextContent.Trim());
        Assert.All(details.Document.QuerySelectorAll("#Timeline tbody tr td:nth-child(2)"), td => Assert.Matches(IsoTime(), td.TextContent.Trim()));

        var edit = await staff.OpenAsync($"{Urls.Contract(c.Id)}/edit");
        Assert.Empty(edit.Document.QuerySelectorAll("input[type=date]"));
        var input = edit.Get("#Milestones [data-milestone-row] [data-field=DueDate]");
        Assert.Equal(due, input.GetAttribute("value"));
        Assert.Contains("yyyy-mm-dd", input.GetAttribute("placeholder"));

        var party = await c.Client.OpenAsync(c.ClientUrl);
        Assert.Equal(due, party.Text("#Milestone1 .due"));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")]
    private static partial Regex IsoTime();
}
