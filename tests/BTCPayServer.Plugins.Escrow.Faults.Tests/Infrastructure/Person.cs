using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using BTCPayServer.Plugins.Escrow.Tests.Shared;

namespace BTCPayServer.Plugins.Escrow.Faults.Tests.Infrastructure;

/// <summary>The host went away under a request (the crash switch fired, or it died on its own).</summary>
public sealed class HostDiedException(string message) : Exception(message);

/// <summary>One answer of the host, with its HTML parsed on demand.</summary>
public sealed class Page(HttpStatusCode status, string path, string body, Uri? location)
{
    private IDocument? _document;

    public HttpStatusCode Status { get; } = status;
    public string Path { get; } = path;
    public string Body { get; } = body;
    public Uri? Location { get; } = location;
    public bool IsRedirect => (int)Status is >= 300 and < 400;
    public IDocument Document => _document ??= new HtmlParser().ParseDocument(Body);

    public IElement? Find(string selector) => Document.QuerySelector(selector);

    public IElement Get(string selector) => Find(selector) ?? throw new Xunit.Sdk.XunitException($"No '{selector}' on {Path} ({(int)Status}):\n{Excerpt()}");

    public string Excerpt(int max = 2000) => Body.Length <= max ? Body : Body[..max] + "…";
}

/// <summary>
/// Someone using the pages (the agency, the client or the freelancer): keeps their cookies across host restarts, fills
/// and submits the forms the pages show (antiforgery token included), follows redirects. Links that carry an older
/// run's address (claim links are stored absolute) are followed on the host that runs now. Never accepts a 5xx.
/// </summary>
public sealed class Person(string name)
{
    private readonly CookieContainer _cookies = new();
    private HttpClient? _http;
    private HostProcess? _host;

    public string Name { get; } = name;

    /// <summary>Talks to <paramref name="host"/> from now on, with the same cookies.</summary>
    public void Use(HostProcess host)
    {
        _http?.Dispose();
        _host = host;
        _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(host.BaseUrl),
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>
    /// Reloads a page that answered 503 (the database is away for a moment), as a person would, for up to ten seconds;
    /// never a form post, which the person would check before sending again.
    /// </summary>
    public bool ReloadsWhenUnavailable { get; set; }

    public async Task<Page> GetAsync(string url)
    {
        for (var attempt = 1; ; attempt++)
        {
            var page = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Local(url)), acceptServerErrors: ReloadsWhenUnavailable && attempt < 40);
            if (page.Status != HttpStatusCode.ServiceUnavailable)
                return page;
            await Task.Delay(250);
        }
    }

    /// <summary>Any answer, a 5xx included (what the host says while its database is away).</summary>
    public Task<Page> GetAnyAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, Local(url)), acceptServerErrors: true);

    /// <summary>Submits a form and takes any answer, a 5xx included, without following it.</summary>
    public Task<Page> SubmitAnyAsync(Page page, string selector, params (string Name, string Value)[] values) => SubmitNoFollowAsync(page, selector, values, acceptServerErrors: true);

    public async Task<Page> OpenAsync(string url) => await FollowAsync(await GetAsync(url));

    public async Task<Page> FollowAsync(Page page)
    {
        for (var hops = 0; page.IsRedirect; hops++)
        {
            Assert.True(hops < 8, $"Too many redirects from {page.Path}");
            page = await GetAsync(page.Location!.IsAbsoluteUri ? page.Location.PathAndQuery : page.Location.OriginalString);
        }
        return page;
    }

    /// <summary>Submits the form that holds <paramref name="selector"/>, with its shown values changed by <paramref name="values"/>.</summary>
    public async Task<Page> SubmitAsync(Page page, string selector, params (string Name, string Value)[] values) =>
        await FollowAsync(await SubmitNoFollowAsync(page, selector, values));

    public Task<Page> SubmitNoFollowAsync(Page page, string selector, params (string Name, string Value)[] values) =>
        SubmitNoFollowAsync(page, selector, values, acceptServerErrors: false);

    private async Task<Page> SubmitNoFollowAsync(Page page, string selector, (string Name, string Value)[] values, bool acceptServerErrors)
    {
        var element = page.Get(selector);
        var form = element as IHtmlFormElement ?? element.Closest("form") as IHtmlFormElement
            ?? throw new Xunit.Sdk.XunitException($"'{selector}' is in no form on {page.Path}");
        var fields = HtmlFormFields.Of(form);
        foreach (var (name, value) in values)
        {
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }
        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : page.Path;
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, Local(action)) { Content = new FormUrlEncodedContent(fields) }, acceptServerErrors);
    }

    /// <summary>Posts fields with the antiforgery token of <paramref name="tokenPage"/> (a page of this person with a form).</summary>
    public Task<Page> PostAsync(string url, Page tokenPage, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var token = tokenPage.Get("input[name=__RequestVerificationToken]").GetAttribute("value")!;
        var list = fields.Append(new("__RequestVerificationToken", token)).ToList();
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, Local(url)) { Content = new FormUrlEncodedContent(list) });
    }

    /// <summary>A path on the current host, whatever address the link was made with.</summary>
    public static string Local(string url) => Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : url;

    private async Task<Page> SendAsync(HttpRequestMessage request, bool acceptServerErrors = false)
    {
        var host = _host ?? throw new InvalidOperationException($"{Name} has no host to talk to.");
        if (host.HasExited)
            throw new HostDiedException($"The host had exited before {Name}'s {request.Method} {request.RequestUri}.");
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http!.SendAsync(request);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            if (await host.WaitForExitAsync(TimeSpan.FromSeconds(10)))
                throw new HostDiedException($"The host died during {Name}'s {request.Method} {request.RequestUri}.");
            throw;
        }
        using (response)
        {
            var page = new Page(response.StatusCode, request.RequestUri!.OriginalString, body, response.Headers.Location);
            if (((int)response.StatusCode >= 500 && !acceptServerErrors) || response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new Xunit.Sdk.XunitException($"{Name}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}:\n{page.Excerpt()}");
            return page;
        }
    }
}
