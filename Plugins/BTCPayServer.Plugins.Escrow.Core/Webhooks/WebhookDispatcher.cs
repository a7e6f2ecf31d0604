using System.Net.Http.Headers;
using System.Text;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>
/// Sends the deliveries that are due, one attempt each, and records the answer. Safe to run again after a crash: a
/// delivery whose answer was lost is sent again under the same delivery id, which receivers use to drop repeats.
/// </summary>
public sealed class WebhookDispatcher(IWebhookStore store, HttpClient http, TimeProvider clock)
{
    public const int BatchSize = 50;

    /// <summary>How long the log keeps a delivery that ended (for the webhook page and redelivery).</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    public static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private DateTimeOffset? _lastPruned;

    /// <summary>Forgets deliveries that ended more than <see cref="KeptFor"/> ago, once per <see cref="PruneInterval"/>.</summary>
    public async Task<int> PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_lastPruned is { } last && now - last < PruneInterval)
            return 0;
        _lastPruned = now;
        return await store.PruneDeliveriesAsync(now - KeptFor, cancellationToken);
    }
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Returns how many deliveries were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.DueDeliveriesAsync(clock.GetUtcNow(), BatchSize, cancellationToken);
        foreach (var (delivery, webhook) in due)
        {
            if (webhook is null || !webhook.Enabled)
                delivery.Abandon(webhook is null ? "The webhook was deleted." : "The webhook is disabled.", clock.GetUtcNow());
            else
                await AttemptAsync(delivery, webhook, cancellationToken);
            await store.SaveDeliveryAsync(delivery, cancellationToken);
        }
        return due.Count;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, WebhookSubscription webhook, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(webhook.Secret, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                delivery.RecordSuccess(code, clock.GetUtcNow());
            else
                delivery.RecordFailure(code, $"The endpoint answered {code} {response.ReasonPhrase}.", clock.GetUtcNow());
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            delivery.RecordFailure(null, e is OperationCanceledException ? $"No answer within {Timeout.TotalSeconds:0} seconds." : e.Message, clock.GetUtcNow());
        }
    }
}
