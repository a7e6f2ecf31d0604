using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Api;

public sealed class ApiIdempotencyTests(ApiApp app) : IClassFixture<ApiApp>
{
    [Fact]
    public async Task The_same_key_and_body_get_the_first_answer_and_act_once()
    {
        var api = app.Api(app.ManageKey);
        var key = Guid.NewGuid().ToString();
        var before = await app.CountContractsAsync();
        var first = await api.PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Once"), key);
        var second = await api.PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Once"), key);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(first.Body, second.Body);
        Assert.Null(first.Header("Idempotent-Replayed"));
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(before + 1, await app.CountContractsAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_and_changes_nothing()
    {
        var api = app.Api(app.ManageKey);
        var key = Guid.NewGuid().ToString();
        await api.PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("First body"), key);
        var before = await app.CountContractsAsync();
        var other = await api.PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Second body"), key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Equal("Idempotency-Key", (string)other.This[0]!["path"]!);
        // The same body on another path is another request too.
        var id = ApiContracts.IdOf(await ApiContracts.CreateAsync(api));
        var elsewhere = await api.PostAsync(ApiApp.Path($"/contracts/{id}/clone"), ApiContracts.Draft("First body"), key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, elsewhere.Status);
        Assert.Equal(before + 1, await app.CountContractsAsync());
    }

    [Fact]
    public async Task Keys_belong_to_one_API_key_so_two_clients_never_meet()
    {
        var key = Guid.NewGuid().ToString();
        var before = await app.CountContractsAsync();
        var a = await app.Api(app.ManageKey).PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Shared key"), key);
        var b = await app.Api(app.BothKey).PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Shared key"), key);
        Assert.NotEqual((string)a.This["id"]!, (string)b.This["id"]!);
        Assert.Null(b.Header("Idempotent-Replayed"));
        Assert.Equal(before + 2, await app.CountContractsAsync());
    }

    [Fact]
    public async Task A_refusal_is_answered_again_but_a_conflict_may_be_retried()
    {
        var api = app.Api(app.ManageKey);
        var id = ApiContracts.IdOf(await ApiContracts.CreateAsync(api));
        var key = Guid.NewGuid().ToString();
        var refused = await api.PostAsync(ApiApp.Path($"/contracts/{id}/cancel"), new { }, key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var again = await api.PostAsync(ApiApp.Path($"/contracts/{id}/cancel"), new { }, key);
        Assert.Equal(refused.Body, again.Body);
        Assert.Equal("true", again.Header("Idempotent-Replayed"));

        // A conflict (409) is not kept: a retry with the same key is answered afresh, as the contract is then.
        var conflictKey = Guid.NewGuid().ToString();
        var stale = await api.PostAsync(ApiApp.Path($"/contracts/{id}/send"), new { version = 99 }, conflictKey);
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        var retried = await api.PostAsync(ApiApp.Path($"/contracts/{id}/send"), new { version = 99 }, conflictKey);
        Assert.Equal(HttpStatusCode.Conflict, retried.Status);
        Assert.Null(retried.Header("Idempotent-Replayed"));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    public async Task A_malformed_key_is_refused(string key)
    {
        var before = await app.CountContractsAsync();
        var answer = await app.Api(app.ManageKey).PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Bad key"), key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal("Idempotency-Key", (string)answer.This[0]!["path"]!);
        Assert.Equal(before, await app.CountContractsAsync());
    }

    [Fact]
    public async Task An_overlong_key_is_refused()
    {
        var answer = await app.Api(app.ManageKey).PostAsync(ApiApp.Path("/contracts"), ApiContracts.Draft("Long key"), new string('k', 201));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
    }
}
