namespace BTCPayServer.Plugins.Escrow.Host.Mail;

/// <summary>How the connection to the mail server is secured.</summary>
public enum SmtpTls
{
    /// <summary>TLS on connect for port 465, STARTTLS when the server offers it otherwise.</summary>
    Auto,
    /// <summary>STARTTLS, required.</summary>
    StartTls,
    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
    /// <summary>No encryption: only for a mail server on the same machine or a test server.</summary>
    None,
}

/// <summary>The mail server of the standalone host (section Escrow:Smtp). Without a host and a sender, no mail is sent.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>The sender, e.g. "Agency escrow &lt;escrow@agency.example&gt;".</summary>
    public string? From { get; set; }
    public SmtpTls Tls { get; set; } = SmtpTls.Auto;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(From);
}
