using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>The standalone host's webhook form, both to add a webhook and to change one: every field gets every bad value.</summary>
public sealed class WebhookSweepTests(EscrowApp app, ITestOutputHelper output) : IClassFixture<EscrowApp>
{
    private async Task<string> SnapshotAsync() =>
        JsonSerializer.Serialize((await app.Services.GetRequiredService<IWebhookStore>().ListAsync(EscrowApp.StoreId, CancellationToken.None))
            .Select(w => new { w.Id, w.Url, w.Secret, w.Enabled, w.AllEvents, w.Events }));

    [Fact]
    public async Task Every_field_of_the_webhook_form_refuses_bad_values_and_changes_nothing()
    {
        var staff = await app.StaffAsync();
        var list = $"{Urls.Staff()}/webhooks";
        var valid = new List<KeyValuePair<string, string>>
        {
            new("Url", "https://hooks.example/escrow"), new("Secret", "sweep-secret"), new("Enabled", "true"), new("AllEvents", "false"),
            new("EventTypes", "EscrowMilestoneFunded"),
        };
        var created = await staff.PostAsync(list, valid);
        Assert.True(created.IsRedirect, created.Excerpt());
        var edit = created.Location!.OriginalString;
        var defaults = await SnapshotAsync();

        SweepField Field(string name, string url, bool isEdit) => new()
        {
            Name = $"{(isEdit ? "edit" : "add")} {name}",
            Browser = () => Task.FromResult(staff),
            Send = (b, value) => b.PostAsync(url, valid.Where(f => f.Key != name).Append(new(name, value))),
            Snapshot = SnapshotAsync,
            MaxLength = name == "Secret" ? 128 : null,
            Display = b => b.GetAsync(edit),
            Reset = async () =>
            {
                if (isEdit)
                    Assert.True((await staff.PostAsync(edit, valid)).IsRedirect);
                else
                {
                    // An accepted "add" made a second webhook: delete every one but the first.
                    var store = app.Services.GetRequiredService<IWebhookStore>();
                    foreach (var extra in (await store.ListAsync(EscrowApp.StoreId, CancellationToken.None)).Skip(1))
                        await store.DeleteAsync(EscrowApp.StoreId, extra.Id, CancellationToken.None);
                }
                Assert.Equal(defaults, await SnapshotAsync());
            },
        };
        var names = new[] { "Url", "Secret", "Enabled", "AllEvents", "EventTypes", "RegenerateSecret" };
        var fields = names.Select(n => Field(n, edit, true)).Concat(names.Where(n => n != "RegenerateSecret").Select(n => Field(n, list, false))).ToArray();
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * BadValues.All.Count, sweeper.Sent);
        Assert.Equal(defaults, await SnapshotAsync());
    }
}
