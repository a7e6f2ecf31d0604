using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Host.Workers;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Host.Greenfield;

/// <summary>
/// Remote mode's start and heartbeat: before the host serves anything, the API key is checked against the store (the
/// host refuses to start without the permissions it needs, or when BTCPay cannot be reached) and the webhook is
/// registered; afterwards the reconciliation runs every <see cref="BTCPayConnection.PollIntervalSeconds"/>, so an event
/// whose webhook was lost is applied anyway.
/// </summary>
public sealed class RemoteBTCPayStartup(
    GreenfieldClient btcpay,
    WebhookRegistration webhook,
    GatewayReconciliation reconciliation,
    StartupGate startup,
    BTCPayConnection connection,
    IPublicAddress publicAddress,
    ILogger<RemoteBTCPayStartup> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = await CheckKeyAsync(cancellationToken);
        if (missing.Count > 0)
            Refuse($"The BTCPay API key lacks {string.Join(", ", missing)} on store {btcpay.StoreId}: create a key with the permissions the README lists (Connect the standalone host to a BTCPay store).");
        var url = $"{publicAddress.BaseUrl().TrimEnd('/')}/{WebhookRegistration.Path}";
        try
        {
            var id = await webhook.RegisterAsync(url, cancellationToken);
            logger.LogInformation("BTCPay store {StoreId}: webhook {WebhookId} calls {Url}", btcpay.StoreId, id, url);
        }
        catch (EscrowException e)
        {
            Refuse($"The webhook could not be registered on the BTCPay store: {e.Message}");
        }
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WorkerLoop.RunAsync(startup, TimeSpan.FromSeconds(Math.Clamp(connection.PollIntervalSeconds, 1, 86_400)), async ct =>
        {
            var report = await reconciliation.RunAsync(ct);
            if (report.EventsApplied > 0)
                logger.LogInformation("Polling BTCPay: {Applied} missed event(s) applied ({Invoices} invoice(s), {PullPayments} pull payment(s) checked)",
                    report.EventsApplied, report.InvoicesChecked, report.PullPaymentsChecked);
        }, e => logger.LogError(e, "Polling BTCPay failed; trying again at the next interval"), stoppingToken);

    private async Task<IReadOnlyList<string>> CheckKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var key = await btcpay.RetryAsync(ct => btcpay.GetAsync("api/v1/api-keys/current", ct), cancellationToken);
            return GreenfieldPermissions.Missing(key, btcpay.StoreId);
        }
        catch (EscrowException e)
        {
            Refuse(e.Message);
            throw;
        }
    }

    private void Refuse(string reason)
    {
        logger.LogCritical("Not starting: {Reason}", reason);
        throw new HostRefusedToStartException($"Not starting: {reason}");
    }
}

/// <summary>The host will not start as configured; the message says why and what to change (Program prints it and exits 1).</summary>
public sealed class HostRefusedToStartException(string message) : InvalidOperationException(message)
{
    /// <summary>The refusal carried by a failed start: thrown alone, or among the hosted services' failures.</summary>
    public static HostRefusedToStartException? In(Exception e) =>
        e as HostRefusedToStartException ?? (e as AggregateException)?.InnerExceptions.OfType<HostRefusedToStartException>().FirstOrDefault();
}
