using System.Net;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

public sealed class ReceiptTests(EscrowApp app) : IClassFixture<EscrowApp>
{
    [Fact]
    public async Task The_receipt_shows_the_terms_hash_and_a_verified_chain()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).FundedAsync(staff, ContractForm.Valid("Receipt contract"));
        var contract = await app.ContractAsync(c.Id);
        var visitor = app.NewBrowser();

        var receipt = await visitor.GetAsync(Urls.Receipt(c.Id));

        Assert.Equal(HttpStatusCode.OK, receipt.Status);
        Assert.Equal(contract.LatestTermsVersion!.Hash, receipt.Text("#ReceiptTermsHash"));
        Assert.StartsWith("Verified", receipt.Text("#ReceiptVerification"));
        Assert.Equal(contract.AuditCount.ToString(), receipt.Text("#ReceiptAuditCount"));
        Assert.Equal(contract.AuditHeadHash, receipt.Text("#ReceiptAuditHead"));
        Assert.Contains("accepted by both parties", receipt.VisibleText);
        // No names, emails or amounts on a page anyone with the id can open.
        foreach (var secret in new[] { "Alice", "Bob", "alice@client.test", "0.01", "0.02" })
            Assert.DoesNotContain(secret, receipt.Body);

        // The party page links to the same receipt.
        var party = await c.Client.OpenAsync(c.ClientUrl);
        Assert.NotNull(party.Find($"a[href='{Urls.Receipt(c.Id)}']"));
    }

    [Fact]
    public async Task A_proposed_contract_has_a_receipt_of_the_offered_terms()
    {
        var staff = await app.StaffAsync();
        var c = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Only proposed"));
        var receipt = await app.NewBrowser().GetAsync(Urls.Receipt(c.Id));
        Assert.Equal(HttpStatusCode.OK, receipt.Status);
        Assert.Equal((await app.ContractAsync(c.Id)).LatestTermsVersion!.Hash, receipt.Text("#ReceiptTermsHash"));
        Assert.StartsWith("Verified", receipt.Text("#ReceiptVerification"));
    }

    [Fact]
    public async Task The_receipt_stays_verified_while_the_contract_is_being_written()
    {
        var staff = await app.StaffAsync();
        var flow = new Flow(app);
        var c = await flow.FundedAsync(staff, ContractForm.Valid("Busy contract"));
        await flow.OpenDisputeAsync(c, 1);
        await c.Freelancer.OpenAsync(c.FreelancerUrl);
        var writers = new[] { (c.Freelancer, c.FreelancerUrl, await c.Freelancer.TokenAsync()), (c.Client, c.ClientUrl, await c.Client.TokenAsync()) };
        // Both parties write, each as many messages as an hour allows.
        var total = writers.Length * Core.Disputes.Dispute.MaxMessagesPerHour;

        // Each message appends an audit entry; receipts read at the same time must not call the chain broken.
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                var (party, url, token) = writers[i % writers.Length];
                await party.PostAsync($"{url}/milestones/{c.MilestoneIds[0]}/dispute/message", [new("__RequestVerificationToken", token), new("text", $"Message {i}")]);
            }
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var reader = app.NewBrowser();
            var seen = new List<string>();
            while (!writer.IsCompleted)
                seen.Add((await reader.GetAsync(Urls.Receipt(c.Id))).Text("#ReceiptVerification"));
            return seen;
        })).ToList();
        await writer;
        foreach (var text in (await Task.WhenAll(readers)).SelectMany(s => s))
            Assert.StartsWith("Verified", text);
        Assert.Equal(total, (await app.ContractAsync(c.Id)).Disputes.Single().Messages.Count);
    }

    [Fact]
    public async Task A_cut_or_changed_history_shows_as_broken()
    {
        var staff = await app.StaffAsync();
        var cut = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Cut tail"));
        var changed = await new Flow(app).ProposedAsync(staff, ContractForm.Valid("Changed entry"));
        var count = (await app.ContractAsync(cut.Id)).AuditCount;

        // Someone with the database file bypasses the append-only triggers.
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataDir, "escrow.db")}"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = """
                DROP TRIGGER "AuditEntries_no_delete"; DROP TRIGGER "AuditEntries_no_update";
                DELETE FROM "AuditEntries" WHERE upper("ContractId") = upper($cut) AND "Sequence" = $last;
                UPDATE "AuditEntries" SET "Data" = '{"title":"Forged"}' WHERE upper("ContractId") = upper($changed) AND "Sequence" = 1;
                """;
            command.Parameters.AddWithValue("$cut", cut.Id.ToString());
            command.Parameters.AddWithValue("$changed", changed.Id.ToString());
            command.Parameters.AddWithValue("$last", count);
            await command.ExecuteNonQueryAsync();
        }

        var visitor = app.NewBrowser();
        Assert.Contains($"Broken at entry {count}", (await visitor.GetAsync(Urls.Receipt(cut.Id))).Text("#ReceiptVerification"));
        Assert.Contains("Broken at entry 1", (await visitor.GetAsync(Urls.Receipt(changed.Id))).Text("#ReceiptVerification"));
        Assert.Contains("chain broken", (await staff.OpenAsync(Urls.Contract(changed.Id))).Text("#AuditVerification"));
    }

    [Fact]
    public async Task Drafts_and_unknown_ids_have_no_receipt()
    {
        var staff = await app.StaffAsync();
        var draft = await new Flow(app).CreateDraftAsync(staff, ContractForm.Valid("Secret draft title"));
        var visitor = app.NewBrowser();

        var page = await visitor.GetAsync(Urls.Receipt(draft));
        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.DoesNotContain("Secret draft title", page.Body);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync(Urls.Receipt(Guid.NewGuid()))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync("/escrow/receipt/not-a-guid")).Status);
    }
}
