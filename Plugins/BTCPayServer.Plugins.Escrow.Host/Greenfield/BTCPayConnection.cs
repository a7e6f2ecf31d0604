namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>The BTCPay store this host works against in remote mode (section Escrow:BTCPay).</summary>
public sealed class BTCPayConnection
{
    /// <summary>BTCPay Server's address, e.g. https://btcpay.example.com.</summary>
    public string? Url { get; set; }
    /// <summary>The BTCPay store whose invoices and pull payments the escrow uses (not the host's own Escrow:StoreId).</summary>
    public string? StoreId { get; set; }
    /// <summary>A Greenfield API key of a user of that store, with the permissions listed in <see cref="GreenfieldPermissions.Required"/>.</summary>
    public string? ApiKey { get; set; }
    /// <summary>How often the host re-reads what it still waits on, in case a webhook was lost.</summary>
    public double PollIntervalSeconds { get; set; } = 300;
    /// <summary>Attempts after the first one for a transient failure (5xx, timeout, connection refused); never for 4xx.</summary>
    public int Retries { get; set; } = 4;
    /// <summary>First delay between attempts; it doubles each time, with jitter.</summary>
    public double RetryDelaySeconds { get; set; } = 1;
    public double RequestTimeoutSeconds { get; set; } = 30;

    public Uri BaseUri()
    {
        if (!Uri.TryCreate(Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new InvalidOperationException("Set Escrow:BTCPay:Url to your BTCPay Server's address (e.g. https://btcpay.example.com) for Escrow:Gateway=btcpay.");
        if (string.IsNullOrWhiteSpace(StoreId))
            throw new InvalidOperationException("Set Escrow:BTCPay:StoreId to the id of the BTCPay store (Store settings > General) for Escrow:Gateway=btcpay.");
        if (string.IsNullOrWhiteSpace(ApiKey))
            throw new InvalidOperationException("Set Escrow:BTCPay:ApiKey to a Greenfield API key of that store for Escrow:Gateway=btcpay (the README lists the permissions).");
        return new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }
}
