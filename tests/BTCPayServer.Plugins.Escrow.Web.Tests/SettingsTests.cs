using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The store's escrow settings page: saved defaults fill new contracts, and bad values are refused without saving.</summary>
public sealed class SettingsTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    private static string SettingsUrl => $"/stores/{EscrowApp.StoreId}/plugins/escrow/settings";

    [Fact]
    public async Task Saved_defaults_fill_the_next_new_contract_form()
    {
        var staff = await app.StaffAsync();
        var page = await staff.OpenAsync(SettingsUrl);

        var saved = await staff.SubmitAsync(page, "#SaveSettings",
            ("DefaultCurrency", "eur"), ("DefaultFx", "BtcLocked"), ("DefaultFeePercent", "3.5"), ("DefaultFeeFixed", "2"),
            ("DefaultFeePayer", "Client"), ("DefaultReviewWindowDays", "9"), ("DefaultDisputeWindowDays", "4"));

        Assert.Contains("Settings saved", saved.Text("#SettingsSaved"));
        var form = await staff.OpenAsync(Urls.NewContract());
        Assert.Equal("EUR", form.Get("[name='Form.Currency']").GetAttribute("value"));
        Assert.Equal("3.5", form.Get("[name='Form.Fee.Percent']").GetAttribute("value"));
        Assert.Equal("9", form.Get("[name='Form.ReviewWindow']").GetAttribute("value"));
        Assert.Equal("BtcLocked", form.Get("[name='Form.Fx'] option[selected]").GetAttribute("value"));
        Assert.Equal("Client", form.Get("[name='Form.Fee.ChargedTo'] option[selected]").GetAttribute("value"));
    }

    /// <summary>What the form shows (its fields and choices), without the per-render antiforgery token.</summary>
    private static string Values(Page page) => string.Join('|', page.Document.QuerySelectorAll("#SettingsForm input, #SettingsForm option, #SettingsForm textarea")
        .Where(e => e.GetAttribute("name") != "__RequestVerificationToken")
        .Select(e => $"{e.GetAttribute("name")}={e.GetAttribute("value") ?? e.TextContent}:{e.HasAttribute("checked")}{e.HasAttribute("selected")}"));

    [Theory]
    [InlineData("DefaultFx", "Bogus")]
    [InlineData("DefaultReviewWindowDays", "two weeks")]
    [InlineData("DefaultReviewWindowDays", "0")]
    [InlineData("DefaultCurrency", "XXXXXXX")]
    [InlineData("DefaultFeePercent", "75")]
    [InlineData("PayoutMethods", "PAYPAL")]
    [InlineData("EmailsOn", "Bogus")]
    [InlineData("AgencyEmails", "not an address")]
    [InlineData("AgencyEmails", "Desk <desk@agency.test>")]
    public async Task A_bad_value_is_refused_with_a_message_and_nothing_is_saved(string field, string value)
    {
        var staff = await app.StaffAsync();
        var before = await staff.OpenAsync(SettingsUrl);
        var beforeForm = Values(before);

        var refused = await staff.SubmitAsync(before, "#SaveSettings", (field, value));

        Assert.Null(refused.Find("#SettingsSaved"));
        Assert.NotEmpty(refused.Get("#SettingsForm .text-danger").TextContent.Trim());
        var after = await staff.OpenAsync(SettingsUrl);
        Assert.Equal(beforeForm, Values(after));
    }
}
