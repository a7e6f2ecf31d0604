using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Greenfield;

/// <summary>
/// A BTCPay store on loopback (WireMock.Net) that answers the Greenfield calls the host makes with objects built from
/// BTCPay's documented examples, keeps what was created, and checks every request against the documented operation and
/// its request schema (<see cref="Violations"/> lists what failed).
/// </summary>
public sealed class FakeBTCPay : IDisposable
{
    public const string StoreId = "9CiNzKoANXxmk5ayZngSXrHTiVvvgCrwrpFQd4m2K776";
    public const string ApiKey = "2c8a7d1e0f8b4e0b9c4f5c8e2d4a6b1f3e5d7c9a";

    private readonly GreenfieldDocument _doc = GreenfieldDocument.Instance;
    private readonly Lock _lock = new();
    private int _ids;

    public FakeBTCPay()
    {
        Server = WireMockServer.Start();
        Server.Given(Request.Create().WithPath(new RegexMatcher(".*")).UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Answer));
    }

    public WireMockServer Server { get; }
    public string Url => Server.Url!;

    /// <summary>The key's permissions (BTCPay's strings); all the host needs, on this store, unless a test says otherwise.</summary>
    public List<string> Permissions { get; } =
    [
        $"btcpay.store.cancreateinvoice:{StoreId}", $"btcpay.store.canviewinvoices:{StoreId}",
        $"btcpay.store.canmanagepullpayments:{StoreId}", $"btcpay.store.webhooks.canmodifywebhooks:{StoreId}",
    ];

    /// <summary>Answer 401 to everything (a revoked key).</summary>
    public bool RefuseKey { get; set; }
    /// <summary>How many pull-payment creations are answered 503 before one succeeds (BTCPay restarting).</summary>
    public int PullPaymentOutages { get; set; }

    /// <summary>An answer of a test's choosing for a request (method, path), instead of the store's: a refusal, say.</summary>
    public Func<string, string, (int Status, JsonObject Body)?>? Override { get; set; }

    public ConcurrentQueue<string> Violations { get; } = new();
    public ConcurrentQueue<string> Requests { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Invoices { get; } = new();
    public ConcurrentDictionary<string, JsonArray> InvoicePaymentMethods { get; } = new();
    public ConcurrentDictionary<string, JsonObject> PullPayments { get; } = new();
    public ConcurrentDictionary<string, JsonArray> Payouts { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Webhooks { get; } = new();
    /// <summary>Secrets the host registered its webhooks with, by webhook id.</summary>
    public ConcurrentDictionary<string, string> WebhookSecrets { get; } = new();
    public List<JsonObject> CreatedInvoiceRequests { get; } = [];
    public List<JsonObject> CreatedPullPaymentRequests { get; } = [];

    /// <summary>The invoice is paid in full on-chain and settled (BTCPay's state, not told to the host).</summary>
    public void Settle(string invoiceId, decimal btc, decimal rate, bool late = false)
    {
        var invoice = Invoices[invoiceId];
        var method = _doc.Example("InvoicePaymentMethodDataModel");
        method["paymentMethodId"] = "BTC-CHAIN";
        method["currency"] = "BTC";
        method["rate"] = rate.ToString(CultureInfo.InvariantCulture);
        var payment = _doc.Example("Payment");
        payment["id"] = $"{NextId("tx")}-0";
        payment["value"] = btc.ToString(CultureInfo.InvariantCulture);
        payment["fee"] = "0";
        payment["status"] = "Settled";
        payment["receivedDate"] = late ? invoice["expirationTime"]!.GetValue<long>() + 60 : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        method["payments"] = new JsonArray(payment);
        InvoicePaymentMethods[invoiceId] = new JsonArray(method);
        invoice["status"] = late ? "Expired" : "Settled";
        invoice["additionalStatus"] = late ? "PaidLate" : "None";
    }

    public void CompletePayout(string pullPaymentId)
    {
        var payout = _doc.Example("PayoutData");
        payout["id"] = NextId("po");
        payout["pullPaymentId"] = pullPaymentId;
        payout["state"] = "Completed";
        Payouts[pullPaymentId] = new JsonArray(payout);
    }

    /// <summary>Fails with every request that was no documented operation or whose body did not match its schema.</summary>
    public void AssertKeptToTheDocument() => Assert.True(Violations.IsEmpty, string.Join("\n", Violations));

    public int CountRequests(string method, string pathPrefix) => Requests.Count(r => r.StartsWith($"{method} {pathPrefix}", StringComparison.Ordinal));

    private ResponseMessage Answer(IRequestMessage request)
    {
        var path = request.Path;
        var method = request.Method.ToUpperInvariant();
        Requests.Enqueue($"{method} {path}");
        if (_doc.Check(method, path, request.Query?.Keys ?? [], request.Body) is { } problem)
            Violations.Enqueue(problem);
        if (request.Headers?.TryGetValue("Authorization", out var auth) != true || auth!.ToString() != $"token {ApiKey}")
            Violations.Enqueue($"{method} {path} without the API key");
        if (RefuseKey)
            return Json(401, new JsonObject { ["code"] = "unauthenticated", ["message"] = "Authentication is required for accessing this endpoint" });
        if (Override?.Invoke(method, path) is { } chosen)
            return Json(chosen.Status, chosen.Body);
        var body = string.IsNullOrEmpty(request.Body) ? null : JsonNode.Parse(request.Body) as JsonObject;
        lock (_lock)
            return Route(method, path, body);
    }

    private ResponseMessage Route(string method, string path, JsonObject? body)
    {
        Match m;
        switch (method)
        {
            case "GET" when path == "/api/v1/api-keys/current":
                var key = _doc.Example("ApiKeyData");
                key["apiKey"] = ApiKey;
                key["permissions"] = new JsonArray(Permissions.Select(p => (JsonNode?)p).ToArray());
                return Json(200, key);
            case "POST" when path == $"/api/v1/stores/{StoreId}/invoices":
                return Json(200, CreateInvoice(body!));
            case "GET" when (m = Regex.Match(path, "^/api/v1/invoices/([^/]+)$")).Success:
                return Invoices.TryGetValue(m.Groups[1].Value, out var invoice) ? Json(200, invoice) : NotFound();
            case "GET" when (m = Regex.Match(path, "^/api/v1/invoices/([^/]+)/payment-methods$")).Success:
                return Invoices.ContainsKey(m.Groups[1].Value) ? Json(200, InvoicePaymentMethods.GetValueOrDefault(m.Groups[1].Value) ?? []) : NotFound();
            case "POST" when (m = Regex.Match(path, "^/api/v1/invoices/([^/]+)/refund$")).Success:
                return Invoices.ContainsKey(m.Groups[1].Value)
                    ? Json(200, CreatePullPayment(body!, (string)body!["customAmount"]!, (string)body["customCurrency"]!))
                    : NotFound();
            case "GET" when path == $"/api/v1/stores/{StoreId}/pull-payments":
                return Json(200, new JsonArray(PullPayments.Values.Select(p => (JsonNode?)p.DeepClone()).ToArray()));
            case "POST" when path == $"/api/v1/stores/{StoreId}/pull-payments":
                if (PullPaymentOutages > 0)
                {
                    PullPaymentOutages--;
                    return Json(503, new JsonObject { ["code"] = "service-unavailable", ["message"] = "BTCPay is starting" });
                }
                return Json(200, CreatePullPayment(body!, (string)body!["amount"]!, (string)body["currency"]!));
            case "DELETE" when (m = Regex.Match(path, "^/api/v1/pull-payments/([^/]+)$")).Success:
                if (!PullPayments.TryGetValue(m.Groups[1].Value, out var archived))
                    return NotFound();
                archived["archived"] = true;
                return Json(200, null);
            case "GET" when (m = Regex.Match(path, "^/api/v1/pull-payments/([^/]+)/payouts$")).Success:
                return PullPayments.ContainsKey(m.Groups[1].Value) ? Json(200, Payouts.GetValueOrDefault(m.Groups[1].Value) ?? []) : NotFound();
            case "GET" when path == $"/api/v1/stores/{StoreId}/webhooks":
                return Json(200, new JsonArray(Webhooks.Values.Select(w => (JsonNode?)w.DeepClone()).ToArray()));
            case "POST" when path == $"/api/v1/stores/{StoreId}/webhooks":
                return Json(200, SaveWebhook(NextId("wh"), body!));
            case "PUT" when (m = Regex.Match(path, "^/api/v1/webhooks/([^/]+)$")).Success:
                return Webhooks.ContainsKey(m.Groups[1].Value) ? Json(200, SaveWebhook(m.Groups[1].Value, body!)) : NotFound();
            default:
                Violations.Enqueue($"{method} {path}: the fake has no answer for it");
                return NotFound();
        }
    }

    private JsonObject CreateInvoice(JsonObject request)
    {
        CreatedInvoiceRequests.Add((JsonObject)request.DeepClone());
        var invoice = _doc.Example("InvoiceData");
        var id = NextId("inv");
        invoice["id"] = id;
        invoice["storeId"] = StoreId;
        invoice["amount"] = request["amount"]!.DeepClone();
        invoice["currency"] = request["currency"]!.DeepClone();
        invoice["metadata"] = request["metadata"]!.DeepClone();
        invoice["checkoutLink"] = $"{Url}/i/{id}";
        invoice["status"] = "New";
        invoice["additionalStatus"] = "None";
        invoice["createdTime"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        invoice["expirationTime"] = DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds();
        Invoices[id] = invoice;
        return invoice;
    }

    private JsonObject CreatePullPayment(JsonObject request, string amount, string currency)
    {
        CreatedPullPaymentRequests.Add((JsonObject)request.DeepClone());
        var pullPayment = _doc.Example("PullPaymentData");
        var id = NextId("pp");
        pullPayment["id"] = id;
        pullPayment["name"] = request["name"]?.DeepClone();
        pullPayment["description"] = request["description"]?.DeepClone();
        pullPayment["amount"] = amount;
        pullPayment["currency"] = currency;
        pullPayment["archived"] = false;
        pullPayment["viewLink"] = $"{Url}/pull-payments/{id}";
        PullPayments[id] = pullPayment;
        return pullPayment;
    }

    private JsonObject SaveWebhook(string id, JsonObject request)
    {
        var webhook = _doc.Example("WebhookData");
        webhook["id"] = id;
        webhook["url"] = request["url"]!.DeepClone();
        webhook["enabled"] = request["enabled"]?.DeepClone() ?? true;
        webhook["authorizedEvents"] = request["authorizedEvents"]?.DeepClone();
        Webhooks[id] = webhook;
        if ((string?)request["secret"] is { } secret)
            WebhookSecrets[id] = secret;
        var answer = (JsonObject)webhook.DeepClone();
        answer["secret"] = WebhookSecrets.GetValueOrDefault(id);
        return answer;
    }

    private string NextId(string prefix) => $"{prefix}{Interlocked.Increment(ref _ids):D6}";

    private static ResponseMessage NotFound() => Json(404, new JsonObject { ["code"] = "not-found", ["message"] = "Not found" });

    private static ResponseMessage Json(int status, JsonNode? body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = body is null ? null : new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public void Dispose() => Server.Stop();
}
