using System.Globalization;
using System.Net;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using nietras.SeparatedValues;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>
/// Two contracts of the signed-in store (one with text a spreadsheet would run as a formula, overpaid, approved and
/// released; one plainly funded) and one of another store, each brought there through the pages.
/// </summary>
public sealed class StatementApp : EscrowApp
{
    public const string FormulaTitle = "=HYPERLINK(\"http://evil.test\",\"click\"), \"quoted\" and, commas";
    public const string FormulaClient = "-Mallory, \"the\" client";
    public const string FormulaFreelancer = "@Frank Freelancer";

    public Browser Staff { get; private set; } = null!;
    public ContractAtHand Released { get; private set; } = null!;
    public ContractAtHand Funded { get; private set; } = null!;
    public OtherStoreContract Theirs { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Staff = await StaffAsync();
        var flow = new Flow(this);
        var form = ContractForm.Valid(FormulaTitle, "USD", "100.00", "30.00")
            .With("Form.Client.Name", FormulaClient).With("Form.Freelancer.Name", FormulaFreelancer).With("Form.Fee.Percent", "10");
        Released = await flow.ActiveAsync(Staff, form);
        // 150 paid for milestone 1 (100): 30 rolls into milestone 2, 20 goes back to the client as credit.
        var page = await Released.Client.OpenAsync(Released.ClientUrl);
        var checkout = await Released.Client.SubmitAsync(page, "#Milestone1 .fund-milestone");
        var paid = await Released.Client.SubmitAsync(checkout, "#PayPart", ("amount", "150.00"));
        Assert.Equal("Settled", paid.Text("#InvoiceStatus"));
        // The worker makes the credit refund's pull payment meanwhile; acting while it saves would only conflict.
        await WaitForPullPaymentsAsync(Released.Id);
        await flow.SubmitDeliverableAsync(Released, 1);
        var client = await Released.Client.OpenAsync(Released.ClientUrl);
        var confirm = await Released.Client.SubmitAsync(client, "#Milestone1 .approve-milestone");
        await Released.Client.SubmitAsync(confirm, "#ConfirmButton");
        Funded = await flow.FundedAsync(Staff, ContractForm.Valid("Plain funded contract"));
        Theirs = await OtherStoreContract.CreateAsync(this);
    }

    /// <summary>The host's worker turns queued payouts into pull payments within moments.</summary>
    public async Task WaitForPullPaymentsAsync(Guid contractId)
    {
        // Up to 90 s, as main's other worker waits: CI runs the test projects side by side on two cores.
        for (var i = 0; i < 900; i++)
        {
            if ((await ContractAsync(contractId)).Payouts.All(p => p.PullPaymentId is not null))
                return;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("The payouts never became claimable.");
    }
}

public sealed class StatementTests(StatementApp app) : IClassFixture<StatementApp>
{
    private static string StaffStatement(Guid contractId, string format, string query = "") => $"{Urls.Contract(contractId)}/statement.{format}{query}";

    private static List<Dictionary<string, string>> ParseCsv(string text)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromText(text);
        Assert.Equal(StatementFiles.CsvColumns, reader.Header.ColNames);
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var cells = new Dictionary<string, string>();
            foreach (var column in StatementFiles.CsvColumns)
                cells[column] = row[column].ToString();
            rows.Add(cells);
        }
        return rows;
    }

    private static decimal Number(string cell) => decimal.Parse(cell, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static decimal Sum(IEnumerable<Dictionary<string, string>> rows, string column, params string[] kinds) =>
        rows.Where(r => kinds.Length == 0 || kinds.Contains(r["kind"])).Sum(r => Number(r[column]));

    private static void AssertTotalsEqualLedger(List<Dictionary<string, string>> rows, EscrowLedger ledger)
    {
        Assert.Equal(ledger.Received.Amount, Sum(rows, "balance_change", "credited", "credit_added", "funding_reversed", "credit_reversed"));
        Assert.Equal(ledger.ReleasedToFreelancer.Amount, Sum(rows, "amount", "release"));
        Assert.Equal(ledger.FeesRetained.Amount, Sum(rows, "amount", "fee"));
        Assert.Equal(ledger.RefundedToClient.Amount, Sum(rows, "amount", "refund", "credit_refunded"));
        Assert.Equal(ledger.Balance.Amount, Sum(rows, "balance_change"));
    }

    [Fact]
    public async Task A_contract_statement_downloads_as_csv_whose_totals_equal_the_escrow_ledger()
    {
        var page = await app.Staff.GetAsync(StaffStatement(app.Released.Id, "csv"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("text/csv; charset=utf-8", page.Response.Content.Headers.ContentType!.ToString());
        var disposition = page.Response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.True(disposition.FileName is not null, page.Response.Content.Headers.ContentDisposition!.ToString());
        Assert.Matches($"^escrow-statement-hyperlink-http-evil-test-click-quoted-an-\\d{{4}}-\\d{{2}}-\\d{{2}}-to-\\d{{4}}-\\d{{2}}-\\d{{2}}\\.csv$", disposition.FileName!.Trim('"'));
        var rows = ParseCsv(page.Body);
        var contract = await app.ContractAsync(app.Released.Id);
        AssertTotalsEqualLedger(rows, contract.Ledger);
        // Money came in, was credited, partly rolled forward and refunded; a fee was kept and the rest released.
        foreach (var kind in new[] { "payment_received", "credited", "credit_added", "credit_applied", "credit_refunded", "fee", "release" })
            Assert.Contains(rows, r => r["kind"] == kind);
        Assert.Equal((10m, -10m), (Sum(rows, "amount", "fee"), Sum(rows, "balance_change", "fee")));
        Assert.Equal(90m, Sum(rows, "amount", "release"));
        var payment = contract.Payments.Single();
        var received = rows.Single(r => r["kind"] == "payment_received");
        Assert.Equal((payment.InvoiceId, payment.PaymentId, payment.Method), (received["invoice_id"], received["payment_id"], received["payment_method"]));
        Assert.Equal(payment.Btc.Amount, Number(received["btc_amount"]));
        Assert.Equal(payment.Rate, Number(received["rate"]));
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", r["date"]));
        Assert.All(rows, r => Assert.Equal(("USD", app.Released.Id.ToString()), (r["currency"], r["contract_id"])));
    }

    [Fact]
    public async Task Formula_text_comes_back_as_text_with_a_leading_quote_and_amounts_as_exact_numbers()
    {
        var rows = ParseCsv((await app.Staff.GetAsync(StaffStatement(app.Released.Id, "csv"))).Body);

        Assert.All(rows, r => Assert.Equal("'" + StatementApp.FormulaTitle, r["contract_title"]));
        Assert.Equal("'" + StatementApp.FormulaClient, rows.First(r => r["party"] == "client")["party_name"]);
        Assert.Equal("'" + StatementApp.FormulaFreelancer, rows.Single(r => r["kind"] == "release")["party_name"]);
        var fee = rows.Single(r => r["kind"] == "fee");
        Assert.Equal(("10.00", "-10.00"), (fee["amount"], fee["balance_change"]));
        Assert.Equal(-10.00m, Number(fee["balance_change"]));
    }

    [Fact]
    public void Quotes_commas_newlines_tabs_and_formula_starts_survive_a_csv_round_trip()
    {
        var title = "=1+1\r\nsecond line, \"quoted\"";
        var line = new StatementLine(new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), Guid.NewGuid(), title, 1, StatementLineKind.Refund,
            StatementParty.Client, "\tTabbed, \"name\"\nnext", Money.Of(0.01m, "EUR"), Money.Zero("EUR") - Money.Of(0.01m, "EUR"), null, 12345.678901m,
            "+method", "@invoice", "-pull", "plain-payment");

        var row = Assert.Single(ParseCsv(StatementFiles.WriteCsv(new Statement(null, [line]))));

        Assert.Equal(("'" + title, "'\tTabbed, \"name\"\nnext"), (row["contract_title"], row["party_name"]));
        Assert.Equal(("'+method", "'@invoice", "'-pull", "plain-payment"), (row["payment_method"], row["invoice_id"], row["pull_payment_id"], row["payment_id"]));
        Assert.Equal((0.01m, -0.01m, 12345.678901m), (Number(row["amount"]), Number(row["balance_change"]), Number(row["rate"])));
        Assert.Equal(("2030-01-02T03:04:05.678Z", "refund", "client", "", "1"), (row["date"], row["kind"], row["party"], row["btc_amount"], row["milestone"]));
    }

    [Fact]
    public async Task The_json_statement_matches_the_csv_and_carries_the_ledger_totals()
    {
        var csv = ParseCsv((await app.Staff.GetAsync(StaffStatement(app.Released.Id, "csv"))).Body);
        var page = await app.Staff.GetAsync(StaffStatement(app.Released.Id, "json"));

        Assert.Equal("application/json; charset=utf-8", page.Response.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment", page.Response.Content.Headers.ContentDisposition!.DispositionType);
        using var json = JsonDocument.Parse(page.Body);
        var lines = json.RootElement.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(csv.Count, lines.Count);
        var textColumns = new[] { "contract_title", "party_name", "payment_method", "invoice_id", "pull_payment_id", "payment_id" };
        var jsonNames = new[] { "date", "contractId", "contractTitle", "milestone", "kind", "party", "partyName", "amount", "balanceChange", "currency", "btcAmount", "rate", "paymentMethod", "invoiceId", "pullPaymentId", "paymentId" };
        for (var i = 0; i < csv.Count; i++)
        {
            for (var c = 0; c < jsonNames.Length; c++)
            {
                var value = lines[i].GetProperty(jsonNames[c]).GetString() ?? "";
                var column = StatementFiles.CsvColumns[c];
                Assert.Equal(csv[i][column], textColumns.Contains(column) ? StatementFiles.SafeText(value) : value);
            }
        }
        Assert.Equal(StatementApp.FormulaTitle, lines[0].GetProperty("contractTitle").GetString());
        var ledger = (await app.ContractAsync(app.Released.Id)).Ledger;
        var totals = Assert.Single(json.RootElement.GetProperty("totals").EnumerateArray().ToList());
        Assert.Equal(("USD", ledger.Received.FormatAmount(), ledger.ReleasedToFreelancer.FormatAmount(), ledger.FeesRetained.FormatAmount(), ledger.RefundedToClient.FormatAmount(), ledger.Balance.FormatAmount()),
            (totals.GetProperty("currency").GetString(), totals.GetProperty("received").GetString(), totals.GetProperty("released").GetString(),
             totals.GetProperty("fees").GetString(), totals.GetProperty("refunded").GetString(), totals.GetProperty("balanceChange").GetString()));
    }

    [Fact]
    public async Task The_store_statement_lists_this_stores_contracts_only_and_adds_up_to_their_ledgers()
    {
        var from = DateTime.UtcNow.AddYears(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var page = await app.Staff.GetAsync($"{Urls.Staff()}/statement.csv?from={from}&to={to}");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal($"escrow-statement-{from}-to-{to}.csv", page.Response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        var rows = ParseCsv(page.Body);
        Assert.DoesNotContain(rows, r => r["contract_id"] == app.Theirs.Id.ToString());
        Assert.DoesNotContain(app.Theirs.Title, page.Body);
        foreach (var mine in new[] { app.Released.Id, app.Funded.Id })
            AssertTotalsEqualLedger(rows.Where(r => r["contract_id"] == mine.ToString()).ToList(), (await app.ContractAsync(mine)).Ledger);
        Assert.Equal(rows.OrderBy(r => r["date"], StringComparer.Ordinal).Select(r => r["date"]), rows.Select(r => r["date"]));

        var empty = ParseCsv((await app.Staff.GetAsync($"{Urls.Staff()}/statement.csv?from=2001-01-01&to=2001-12-31")).Body);
        Assert.Empty(empty);
    }

    [Theory]
    [InlineData("?from=2026-13-01", "is not a date")]
    [InlineData("?to=31.01.2026", "is not a date")]
    [InlineData("?from=2026-02-01&to=2026-01-31", "after it ends on 2026-01-31")]
    [InlineData("?from=2020-01-01&to=2026-01-01", "at most 5 years")]
    public async Task Bad_dates_get_a_400_with_the_reason_on_every_statement_route(string query, string reason)
    {
        foreach (var (browser, url) in new[]
        {
            (app.Staff, $"{Urls.Staff()}/statement.csv{query}"),
            (app.Staff, $"{Urls.Staff()}/statement.json{query}"),
            (app.Staff, StaffStatement(app.Released.Id, "csv", query)),
            (app.NewBrowser(), $"{Urls.Party(app.Released.ClientToken)}/statement.csv{query}"),
        })
        {
            var page = await browser.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, page.Status);
            Assert.Contains(reason, JsonDocument.Parse(page.Body).RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Staff_of_another_store_get_404_for_this_stores_contract_statement()
    {
        foreach (var url in new[] { $"{Urls.Contract(app.Theirs.Id)}/statement.csv", $"{Urls.Contract(app.Theirs.Id, EscrowApp.OtherStoreId)}/statement.json", $"{Urls.Staff(EscrowApp.OtherStoreId)}/statement.csv" })
        {
            var page = await app.Staff.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, page.Status);
            Assert.DoesNotContain(app.Theirs.Title, page.Body);
            Assert.DoesNotContain(app.Theirs.ClientName, page.Body);
        }
    }

    [Fact]
    public async Task A_partys_link_downloads_only_its_own_contract_with_only_its_own_pull_payments()
    {
        var client = await app.NewBrowser().GetAsync($"{Urls.Party(app.Released.ClientToken)}/statement.csv");
        var freelancer = await app.NewBrowser().GetAsync($"{Urls.Party(app.Released.FreelancerToken)}/statement.csv");

        Assert.Equal(HttpStatusCode.OK, client.Status);
        Assert.Equal("attachment", client.Response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Contains("no-store", client.Response.Headers.CacheControl?.ToString());
        var clientRows = ParseCsv(client.Body);
        Assert.All(clientRows, r => Assert.Equal(app.Released.Id.ToString(), r["contract_id"]));
        AssertTotalsEqualLedger(clientRows, (await app.ContractAsync(app.Released.Id)).Ledger);
        Assert.DoesNotContain(app.Funded.Id.ToString(), client.Body);
        Assert.DoesNotContain(app.Released.ClientToken, client.Body);

        // A pull payment id is a claim link: each party sees only the ones paid to them.
        await app.WaitForPullPaymentsAsync(app.Released.Id);
        var clientLines = ParseCsv((await app.NewBrowser().GetAsync($"{Urls.Party(app.Released.ClientToken)}/statement.csv")).Body);
        var freelancerLines = ParseCsv((await app.NewBrowser().GetAsync($"{Urls.Party(app.Released.FreelancerToken)}/statement.csv")).Body);
        Assert.Equal("", clientLines.Single(r => r["kind"] == "release")["pull_payment_id"]);
        Assert.NotEqual("", clientLines.Single(r => r["kind"] == "credit_refunded")["pull_payment_id"]);
        Assert.NotEqual("", freelancerLines.Single(r => r["kind"] == "release")["pull_payment_id"]);
        Assert.Equal("", freelancerLines.Single(r => r["kind"] == "credit_refunded")["pull_payment_id"]);

        Assert.Equal(HttpStatusCode.NotFound, (await app.NewBrowser().GetAsync($"{Urls.Party(Core.Access.CapabilityToken.NewToken())}/statement.csv")).Status);
    }

    [Fact]
    public async Task The_pages_offer_the_downloads()
    {
        var details = await app.Staff.OpenAsync(Urls.Contract(app.Released.Id));
        Assert.EndsWith($"/contracts/{app.Released.Id}/statement.csv", details.Get("#ContractStatementCsv").GetAttribute("href"));
        Assert.EndsWith($"/contracts/{app.Released.Id}/statement.json", details.Get("#ContractStatementJson").GetAttribute("href"));
        var list = await app.Staff.OpenAsync(Urls.Staff());
        Assert.EndsWith("/statement.csv", list.Get("#StoreStatementForm").GetAttribute("action"));
        Assert.Equal("date", list.Get("#StatementFrom").GetAttribute("type"));
        var party = await app.Released.Client.OpenAsync(app.Released.ClientUrl);
        Assert.Equal($"{app.Released.ClientUrl}/statement.csv", party.Get("#PartyStatementCsv").GetAttribute("href"));
    }
}
