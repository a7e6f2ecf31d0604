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
    /// <summary>The sandbox payment gateway (no real funds). The only gateway of this host so far.</summary>
    public bool Sandbox { get; set; } = true;
    public double WorkerIntervalSeconds { get; set; } = 2;
    /// <summary>Base address used in links made outside a request (claim links made by the payout worker).</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    public string DataPath(string contentRoot) => Path.GetFullPath(Path.Combine(contentRoot, DataDir));
}
