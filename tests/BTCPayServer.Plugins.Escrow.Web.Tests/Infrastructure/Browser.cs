using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>One answer of the host, with its HTML parsed on demand.</summary>
public sealed class Page(HttpStatusCode status, Uri url, string body, string? contentType, Uri? location, HttpResponseMessage response)
{
    private IDocument? _document;

    public HttpStatusCode Status { get; } = status;
    public Uri Url { get; } = url;
    public string Body { get; } = body;
    public string? ContentType { get; } = contentType;
    public Uri? Location { get; } = location;
    public HttpResponseMessage Response { get; } = response;

    public IDocument Document => _document ??= new HtmlParser().ParseDocument(Body);

    public bool IsRedirect => (int)Status is >= 300 and < 400;

    public IElement? Find(string selector) => Document.QuerySelector(selector);

    public IElement Get(string selector) => Find(selector) ?? throw new Xunit.Sdk.XunitException($"No '{selector}' on {Url} ({(int)Status}):\n{Excerpt()}");

    public string Text(string selector) => Get(selector).TextContent.Trim();

    /// <summary>The visible text of the page, whitespace collapsed.</summary>
    public string VisibleText => string.Join(' ', (Document.Body?.TextContent ?? Body).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public string Excerpt(int max = 3000) => Body.Length <= max ? Body : Body[..max] + "…";

    public override string ToString() => $"{(int)Status} {Url}";
}

/// <summary>
/// A browser over the in-memory host: keeps cookies, loads pages, fills and submits their forms (antiforgery token
/// included, as a real browser would send it), follows redirects when asked. Every answer is checked: never a 5xx.
/// </summary>
public sealed class Browser
{
    private readonly HttpClient _http;

    public Browser(HttpClient http, IPAddress? address = null)
    {
        _http = http;
        Address = address ?? TestClientAddress.Next();
        _http.DefaultRequestHeaders.Add(TestClientAddress.Header, Address.ToString());
    }

    public IPAddress Address { get; }

    /// <summary>The antiforgery form token of the last page that had one (tokens belong to this browser's cookie and user).</summary>
    public string? LastFormToken { get; private set; }

    public Task<Page> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>GET, then follow redirects like a browser.</summary>
    public async Task<Page> OpenAsync(string url) => await FollowAsync(await GetAsync(url));

    /// <summary>Posts form fields; the antiforgery token of this browser is added unless <paramref name="antiforgery"/> is false.</summary>
    public async Task<Page> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, bool antiforgery = true)
    {
        var list = fields.ToList();
        if (antiforgery && list.All(f => f.Key != "__RequestVerificationToken"))
            list.Add(new("__RequestVerificationToken", await TokenAsync()));
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(list) });
    }

    public Task<Page> PostAsync(string url, params (string Name, string Value)[] fields) =>
        PostAsync(url, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public Task<Page> SendJsonAsync(string url, string json, string contentType = "application/json") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, contentType) });

    /// <summary>Sends a request as built by the test (any method, body and headers); the answer is checked like any other.</summary>
    public Task<Page> SendRawAsync(HttpRequestMessage request) => SendAsync(request);

    /// <summary>Follows redirects (GET) from an answer, up to a handful of hops.</summary>
    public async Task<Page> FollowAsync(Page page)
    {
        for (var hops = 0; page.IsRedirect; hops++)
        {
            Assert.True(hops < 8, $"Too many redirects from {page.Url}");
            page = await GetAsync(new Uri(page.Url, page.Location!).ToString());
        }
        return page;
    }

    /// <summary>
    /// Submits the form holding <paramref name="selector"/> (a button or the form itself) with the values it shows,
    /// changed by <paramref name="values"/>, and follows the redirects.
    /// </summary>
    public async Task<Page> SubmitAsync(Page page, string selector, params (string Name, string Value)[] values) =>
        await FollowAsync(await SubmitNoFollowAsync(page, selector, values));

    public async Task<Page> SubmitNoFollowAsync(Page page, string selector, params (string Name, string Value)[] values)
    {
        var element = page.Get(selector);
        var form = element as IHtmlFormElement ?? element.Closest("form") as IHtmlFormElement
            ?? throw new Xunit.Sdk.XunitException($"'{selector}' is in no form on {page.Url}");
        var fields = HtmlFormFields.Of(form);
        foreach (var (name, value) in values)
        {
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? page.Url : new Uri(page.Url, form.GetAttribute("action")!);
        Assert.Equal("post", (form.GetAttribute("method") ?? "get").ToLowerInvariant());
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });
    }

    public async Task SignInAsync(string email, string password)
    {
        var done = await SubmitSignInAsync(email, password);
        Assert.True(done.IsRedirect, $"Sign-in failed: {done.Excerpt()}");
        LastFormToken = null; // tokens are bound to the user: the anonymous one no longer validates
    }

    /// <summary>Submits the sign-in form: a redirect when signed in (or on to the two-factor step), else the form with its error.</summary>
    public async Task<Page> SubmitSignInAsync(string email, string password) =>
        await SubmitNoFollowAsync(await OpenAsync("/login"), "#LoginButton", ("Email", email), ("Password", password));

    /// <summary>A form token for this browser, fetched from a page with a form when none was seen yet.</summary>
    public async Task<string> TokenAsync()
    {
        if (LastFormToken is null)
        {
            // The login page has a form for anyone; signed in, it redirects, so use the staff "new contract" page.
            var page = await GetAsync("/login");
            if (page.IsRedirect || LastFormToken is null)
                await GetAsync($"/stores/{EscrowApp.StoreId}/plugins/escrow/contracts/new");
        }
        return LastFormToken ?? throw new Xunit.Sdk.XunitException("No antiforgery token could be found.");
    }

    /// <summary>Sends a request as it is (headers included); the answer is checked like any other.</summary>
    public async Task<Page> SendAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var url = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(_http.BaseAddress!, request.RequestUri);
        var page = new Page(response.StatusCode, url, body, response.Content.Headers.ContentType?.MediaType, response.Headers.Location, response);
        Assert.False((int)response.StatusCode >= 500, $"{request.Method} {url} answered {(int)response.StatusCode}:\n{page.Excerpt()}");
        if (page.ContentType == "text/html" && body.Contains("__RequestVerificationToken", StringComparison.Ordinal)
            && page.Find("input[name=__RequestVerificationToken]")?.GetAttribute("value") is { Length: > 0 } token)
            LastFormToken = token;
        return page;
    }
}
