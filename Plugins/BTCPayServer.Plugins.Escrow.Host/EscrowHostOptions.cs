namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>Settings of the standalone host (section "Escrow" of appsettings.json, or ESCROW__* environment variables).</summary>
public sealed class EscrowHostOptions
{
    public const string Section = "Escrow";

    /// <summary>Where the SQLite files and the admin account live; relative paths are under the content root.</summary>
    public string DataDir { get; set; } = "data";
    /// <summary>A PostgreSQL connection string; when set, contracts are stored there instead of the embedded SQLite file.</summary>
    public string? Postgres { get; set; }
    public string StoreId { get; set; } = "default";
    public string StoreName { get; set; } = "Default store";
    /// <summary>Optional administrator from configuration; otherwise the first visit shows a set-up page.</summary>
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    /// <summary>
    /// The payment gateway: <c>sandbox</c> (no real funds, the default) or <c>btcpay</c> (a BTCPay store over its
    /// Greenfield API, configured in <see cref="BTCPay"/>). Never both.
    /// </summary>
    public string Gateway { get; set; } = "sandbox";
    public Greenfield.BTCPayConnection BTCPay { get; set; } = new();

    /// <summary>
    /// The network the sandbox chain pretends to be, when the sandbox gateway is in use: regtest (the default), testnet
    /// or signet. Never mainnet.
    /// </summary>
    public string SandboxNetwork { get; set; } = "regtest";

    /// <summary>The sandbox gateway is in use (pages say "no real funds").</summary>
    public bool Sandbox => !string.Equals(Gateway?.Trim(), "btcpay", StringComparison.OrdinalIgnoreCase);

    public bool IsSandbox() => (Gateway ?? "").Trim().ToLowerInvariant() switch
    {
        "sandbox" or "" => true,
        "btcpay" => false,
        _ => throw new InvalidOperationException($"{Section}:Gateway is \"{Gateway}\": set it to sandbox (no real funds) or btcpay (a BTCPay store, see {Section}:BTCPay)."),
    };
    public double WorkerIntervalSeconds { get; set; } = 2;
    /// <summary>
    /// The address people reach this host at (e.g. https://escrow.example.com). Every link that is stored or sent (party
    /// links, sandbox checkout and claim links) is built from it, never from a request's Host header, and only its host
    /// name is allowed in requests unless AllowedHosts says otherwise. Required: the host does not start without it.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Reverse proxies in front of this host (addresses, or networks such as 10.0.0.0/8). Their X-Forwarded-For and
    /// X-Forwarded-Proto headers are honoured, so each client has its own rate-limit budget; from anyone else those
    /// headers are ignored. Empty: the host is reached directly.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>The mail server party emails go through; none configured, no mail is sent (and the log says so once).</summary>
    public Mail.SmtpOptions Smtp { get; set; } = new();

    public string DataPath(string contentRoot) => Path.GetFullPath(Path.Combine(contentRoot, DataDir));

    /// <summary><see cref="PublicUrl"/> checked (an absolute http or https URL, no query), without its trailing slash.</summary>
    public Uri PublicBase()
    {
        if (!Uri.TryCreate(PublicUrl?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0 || url.Fragment.Length > 0)
            throw new InvalidOperationException(
                $"Set {Section}:PublicUrl (or {Section}__PublicUrl) to the address people reach this host at, such as https://escrow.example.com: "
                + "party, checkout and claim links are built from it, never from a request's Host header." + (PublicUrl is { Length: > 0 } given ? $" \"{given}\" is not an absolute http(s) URL." : ""));
        return url;
    }

    public string PublicBaseUrl() => PublicBase().GetLeftPart(UriPartial.Path).TrimEnd('/');
}
