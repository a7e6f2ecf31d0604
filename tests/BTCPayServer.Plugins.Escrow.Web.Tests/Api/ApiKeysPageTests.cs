using System.Net;
using BTCPayServer.Plugins.Escrow.Host.ApiKeys;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

/// <summary>The administrator's API keys page of the standalone host.</summary>
public sealed class ApiKeysPageTests(ApiApp app) : IClassFixture<ApiApp>
{
    private static string Page => $"{Urls.Staff()}/api-keys";

    [Fact]
    public async Task A_key_is_shown_once_stored_only_as_its_hash_and_works_until_revoked()
    {
        var staff = await app.StaffAsync();
        var page = await staff.OpenAsync(Page);
        var created = await staff.SubmitAsync(page, "#CreateApiKey", ("Label", "Project board"));
        var token = created.Text("#NewApiKeyToken");
        Assert.Matches("^[0-9a-f]{64}$", token);

        // Once: the list shows the label and permissions, never the key; the data folder holds only its SHA-256.
        var again = await staff.OpenAsync(Page);
        Assert.Null(again.Find("#NewApiKeyToken"));
        Assert.DoesNotContain(token, again.Body);
        Assert.Contains("Project board", again.Body);
        var file = await File.ReadAllTextAsync(Path.Combine(app.DataDir, "api-keys.json"));
        Assert.DoesNotContain(token, file);
        Assert.Contains(ApiKeyStore.HashOf(token), file);

        var api = app.Api(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiApp.Path("/contracts"))).Status);
        // Made with the default permission (manage contracts) only.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync(ApiApp.Path("/disputes"))).Status);

        var key = app.Services.GetRequiredService<ApiKeyStore>().List().Single(k => k.Label == "Project board");
        var revoked = await staff.SubmitAsync(again, $"#Revoke-{key.Id}");
        Assert.Contains("revoked", revoked.Text("#ApiKeyMessage"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(ApiApp.Path("/contracts"))).Status);
    }

    [Fact]
    public async Task A_key_without_a_label_or_a_permission_is_not_made()
    {
        var staff = await app.StaffAsync();
        var page = await staff.OpenAsync(Page);
        var count = new FileInfo(Path.Combine(app.DataDir, "api-keys.json")).Length;
        var noLabel = await staff.PostAsync(Page, ("Label", ""), ("Permissions", EscrowPermissions.ManageContracts));
        Assert.Contains("label", noLabel.VisibleText);
        var unknown = await staff.PostAsync(Page, ("Label", "Odd"), ("Permissions", "unrestricted"));
        Assert.Contains("Choose what the key may do", unknown.VisibleText);
        Assert.Null(unknown.Find("#NewApiKeyToken"));
        Assert.Equal(count, new FileInfo(Path.Combine(app.DataDir, "api-keys.json")).Length);
        Assert.NotNull(page);
    }
}
