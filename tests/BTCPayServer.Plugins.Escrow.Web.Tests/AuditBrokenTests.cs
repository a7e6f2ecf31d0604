using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// Through the standalone host: an audit entry changed in the database file (append-only triggers dropped, as anyone
/// with the file could) stops the client's approval and the agency's cancellation with a message they can read, and
/// the staff contract page and list flag the contract.
/// </summary>
public sealed class AuditBrokenTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task A_contract_whose_stored_audit_log_was_changed_moves_no_money_and_is_flagged_on_the_staff_pages()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var delivered = await flow.SubmittedAsync(staff);
        var funded = await flow.FundedAsync(staff, ContractForm.Valid("Funded, then tampered"));
        var healthy = await flow.FundedAsync(staff, ContractForm.Valid("Left alone"));
        await TamperAsync(delivered.Id, funded.Id);
        var before = (await app.SnapshotAsync(delivered.Id), await app.SnapshotAsync(funded.Id));

        // The client approves: refused, in words.
        var party = await delivered.Client.OpenAsync(delivered.ClientUrl);
        var confirm = await delivered.Client.SubmitAsync(party, $"#Milestone1 .approve-milestone");
        var afterApprove = await delivered.Client.SubmitAsync(confirm, "#ConfirmButton");
        Assert.Equal(AuditLogBrokenException.Refusal, afterApprove.Text("#EscrowError"));

        // The agency cancels: refused, in words, and the contract page says why before anyone tries again.
        var details = await staff.OpenAsync(Urls.Contract(funded.Id));
        var afterCancel = await staff.SubmitConfirmedAsync(details, "#CancelContract", ("reason", "Client left"));
        Assert.Equal(AuditLogBrokenException.Refusal, afterCancel.Text("#EscrowError"));
        Assert.Contains(AuditLogBrokenException.Refusal, afterCancel.Text("#AuditBroken"));
        Assert.Contains("Entry 2 was changed", afterCancel.Text("#AuditBroken"));

        // Once found broken, the client is not asked to pay more into it either.
        Assert.NotNull((await app.ContractAsync(funded.Id)).AuditProblem); // kept on the row by the refused cancellation
        var fundPage = await funded.Client.OpenAsync(funded.ClientUrl);
        var afterFund = await funded.Client.SubmitAsync(fundPage, "#Milestone2 .fund-milestone");
        Assert.Equal(AuditLogBrokenException.Refusal, afterFund.Text("#EscrowError"));

        Assert.Equal(before, (await app.SnapshotAsync(delivered.Id), await app.SnapshotAsync(funded.Id)));
        Assert.Empty((await app.ContractAsync(delivered.Id)).Payouts);
        Assert.Empty((await app.ContractAsync(funded.Id)).Payouts);

        // The list flags both, and not the contract left alone.
        var list = await staff.OpenAsync(Urls.Staff());
        var flagged = list.Document.QuerySelectorAll("[data-audit-broken]")
            .Select(badge => badge.ParentElement!.QuerySelector("a")!.GetAttribute("href")).ToList();
        Assert.Equal(new[] { Urls.Contract(delivered.Id), Urls.Contract(funded.Id) }.Order(), flagged.Order());
        Assert.Null((await staff.OpenAsync(Urls.Contract(healthy.Id))).Find("#AuditBroken"));
    }

    private async Task TamperAsync(params Guid[] contractIds)
    {
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataDir, "escrow.db")}");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = """
            DROP TRIGGER "AuditEntries_no_delete"; DROP TRIGGER "AuditEntries_no_update";
            UPDATE "AuditEntries" SET "Data" = '{"title":"Forged"}' WHERE upper("ContractId") IN (upper($a), upper($b)) AND "Sequence" = 2;
            """;
        command.Parameters.AddWithValue("$a", contractIds[0].ToString());
        command.Parameters.AddWithValue("$b", contractIds[1].ToString());
        await command.ExecuteNonQueryAsync();
    }
}
