using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

public static class Urls
{
    public static string Staff(string storeId = EscrowApp.StoreId) => $"/stores/{storeId}/plugins/escrow";
    public static string NewContract(string storeId = EscrowApp.StoreId) => $"{Staff(storeId)}/contracts/new";
    public static string Contract(Guid id, string storeId = EscrowApp.StoreId) => $"{Staff(storeId)}/contracts/{id}";
    public static string Disputes(string storeId = EscrowApp.StoreId) => $"{Staff(storeId)}/disputes";
    public static string Dispute(Guid contractId, Guid milestoneId, string storeId = EscrowApp.StoreId) => $"{Disputes(storeId)}/{contractId}/{milestoneId}";
    public static string Party(string token) => $"/escrow/p/{token}";
    public static string Receipt(Guid id) => $"/escrow/receipt/{id}";

    /// <summary>The token of a party link as shown on the contract page (an absolute URL).</summary>
    public static string TokenOf(string link) => new Uri(link).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[2];
}

/// <summary>The agency's contract form as a browser posts it; tests change single fields.</summary>
public static class ContractForm
{
    public static Dictionary<string, string> Valid(string title = "Website redesign", string currency = "BTC", params string[] amounts)
    {
        if (amounts.Length == 0)
            amounts = currency == "BTC" ? ["0.01", "0.02"] : ["100.00", "250.00"];
        var form = new Dictionary<string, string>
        {
            ["Form.Title"] = title,
            ["Form.Scope"] = "Three pages, responsive, handed over as a Git repository.",
            ["Form.Client.Name"] = "Alice Client",
            ["Form.Client.Email"] = "alice@client.test",
            ["Form.Freelancer.Name"] = "Bob Freelancer",
            ["Form.Freelancer.Email"] = "bob@freelancer.test",
            ["Form.Currency"] = currency,
            ["Form.Fx"] = "FiatProtected",
            ["Form.Overpayment"] = "RollForward",
            ["Form.Fee.Percent"] = "0",
            ["Form.Fee.Fixed"] = "0",
            ["Form.Fee.ChargedTo"] = "Freelancer",
            ["Form.ReviewWindow"] = "14",
            ["Form.DisputeResponseWindow"] = "7",
        };
        for (var i = 0; i < amounts.Length; i++)
        {
            form[$"Form.Milestones[{i}].Title"] = $"Milestone {i + 1}";
            form[$"Form.Milestones[{i}].Deliverable"] = $"Deliverable {i + 1}";
            form[$"Form.Milestones[{i}].Amount"] = amounts[i];
            form[$"Form.Milestones[{i}].DueDate"] = DateTime.UtcNow.AddDays(30 + i).ToString("yyyy-MM-dd");
            form[$"Form.Milestones[{i}].ReviewWindow"] = "";
        }
        return form;
    }

    public static Dictionary<string, string> With(this Dictionary<string, string> form, string field, string value)
    {
        var copy = new Dictionary<string, string>(form) { [field] = value };
        return copy;
    }
}

/// <summary>A contract brought to some state through the pages, with the party links that were issued for it.</summary>
public sealed record ContractAtHand(Guid Id, string ClientLink, string FreelancerLink, Browser Client, Browser Freelancer, IReadOnlyList<Guid> MilestoneIds)
{
    public string ClientUrl => new Uri(ClientLink).AbsolutePath;
    public string FreelancerUrl => new Uri(FreelancerLink).AbsolutePath;
    public string ClientToken => Urls.TokenOf(ClientLink);
    public string FreelancerToken => Urls.TokenOf(FreelancerLink);
}

public static class Confirmations
{
    /// <summary>Submits a staff act that asks first, checks the confirmation page came, and confirms it.</summary>
    public static async Task<Page> SubmitConfirmedAsync(this Browser staff, Page page, string selector, params (string Name, string Value)[] values)
    {
        var confirmation = await staff.SubmitAsync(page, selector, values);
        Assert.True(confirmation.Find("#ConfirmAct") is not null, $"No confirmation after {selector}: {Flow.ErrorsOn(confirmation)}");
        return await staff.SubmitAsync(confirmation, "#ConfirmAct");
    }
}

/// <summary>The steps of the product, done the way people do them: through the pages and their forms.</summary>
public sealed class Flow(EscrowApp app)
{
    public async Task<Guid> CreateDraftAsync(Browser staff, Dictionary<string, string>? form = null)
    {
        await staff.OpenAsync(Urls.NewContract());
        var answer = await staff.PostAsync(Urls.NewContract(), form ?? ContractForm.Valid());
        Assert.True(answer.IsRedirect, $"The draft was not created: {ErrorsOn(answer)}");
        return Guid.Parse(answer.Location!.OriginalString.Split('/').Last());
    }

    /// <summary>Sends the draft for acceptance; the contract page shows both links once.</summary>
    public async Task<(string Client, string Freelancer)> ProposeAsync(Browser staff, Guid contractId)
    {
        var details = await staff.OpenAsync(Urls.Contract(contractId));
        var after = await staff.SubmitAsync(details, "#ProposeContract");
        Assert.Null(after.Find("#EscrowError"));
        return (after.Get("#ClientLink").GetAttribute("value")!, after.Get("#FreelancerLink").GetAttribute("value")!);
    }

    public async Task<ContractAtHand> ProposedAsync(Browser staff, Dictionary<string, string>? form = null)
    {
        var id = await CreateDraftAsync(staff, form);
        var (client, freelancer) = await ProposeAsync(staff, id);
        var contract = await app.ContractAsync(id);
        return new ContractAtHand(id, client, freelancer, app.NewBrowser(), app.NewBrowser(), contract.Milestones.OrderBy(m => m.Number).Select(m => m.Id).ToList());
    }

    public async Task AcceptAsync(Browser party, string partyUrl)
    {
        var page = await party.OpenAsync(partyUrl);
        var after = await party.SubmitAsync(page, "#AcceptTerms");
        Assert.Null(after.Find("#EscrowError"));
    }

    /// <summary>Proposed and accepted by both parties.</summary>
    public async Task<ContractAtHand> ActiveAsync(Browser staff, Dictionary<string, string>? form = null)
    {
        var c = await ProposedAsync(staff, form);
        await AcceptAsync(c.Client, c.ClientUrl);
        await AcceptAsync(c.Freelancer, c.FreelancerUrl);
        return c;
    }

    /// <summary>The client funds one milestone and pays the sandbox invoice in full.</summary>
    public async Task<Page> FundAsync(ContractAtHand c, int number)
    {
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var checkout = await c.Client.SubmitAsync(page, $"#Milestone{number} .fund-milestone");
        Assert.Contains("/sandbox/checkout/", checkout.Url.AbsolutePath);
        var paid = await c.Client.SubmitAsync(checkout, "#PayInFull");
        Assert.Equal("Settled", paid.Text("#InvoiceStatus"));
        return paid;
    }

    public async Task<ContractAtHand> FundedAsync(Browser staff, Dictionary<string, string>? form = null)
    {
        var c = await ActiveAsync(staff, form);
        await FundAsync(c, 1);
        return c;
    }

    public async Task SubmitDeliverableAsync(ContractAtHand c, int number)
    {
        var page = await c.Freelancer.OpenAsync(c.FreelancerUrl);
        var after = await c.Freelancer.SubmitAsync(page, $"#Milestone{number} .submit-deliverable", ("message", "Here it is."), ("links", "https://example.test/delivery"));
        Assert.Null(after.Find("#EscrowError"));
        Assert.Equal(nameof(MilestoneState.Submitted), after.Get($"#Milestone{number}").GetAttribute("data-state"));
    }

    public async Task<ContractAtHand> SubmittedAsync(Browser staff)
    {
        var c = await FundedAsync(staff);
        await SubmitDeliverableAsync(c, 1);
        return c;
    }

    public async Task OpenDisputeAsync(ContractAtHand c, int number)
    {
        var page = await c.Client.OpenAsync(c.ClientUrl);
        var after = await c.Client.SubmitAsync(page, $"#Milestone{number} .open-dispute", ("reason", "The delivery is incomplete."));
        Assert.Null(after.Find("#EscrowError"));
        Assert.Equal(nameof(MilestoneState.Disputed), after.Get($"#Milestone{number}").GetAttribute("data-state"));
    }

    /// <summary>Every error shown by a form page, for assertion messages.</summary>
    public static string ErrorsOn(Page page) =>
        $"{(int)page.Status} {string.Join(" | ", page.Document.QuerySelectorAll(".field-validation-error, .validation-summary-errors li, #FormErrors div, .text-danger, .alert-danger").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).Distinct())}";
}
