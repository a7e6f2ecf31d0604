using System.Collections.Concurrent;
using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>The host's own payment gateway, with every request the escrow hands it (and every answer) written down as JSON.</summary>
public sealed class RecordingGateway(IPaymentGateway inner, ConcurrentQueue<string> requests) : IPaymentGateway
{
    /// <summary>Replaces the host's IPaymentGateway registration with itself around the same gateway.</summary>
    public static void Wrap(IServiceCollection services, ConcurrentQueue<string> requests)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IPaymentGateway));
        services.Remove(registered);
        services.AddSingleton<IPaymentGateway>(sp => new RecordingGateway(registered switch
        {
            { ImplementationInstance: IPaymentGateway instance } => instance,
            { ImplementationFactory: { } factory } => (IPaymentGateway)factory(sp),
            _ => (IPaymentGateway)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
        }, requests));
    }

    public async Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken)
    {
        requests.Enqueue(JsonSerializer.Serialize(request));
        var created = await inner.CreateFundingInvoiceAsync(request, cancellationToken);
        requests.Enqueue(JsonSerializer.Serialize(created));
        return created;
    }

    public async Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken)
    {
        requests.Enqueue(JsonSerializer.Serialize(request));
        var created = await inner.CreatePullPaymentAsync(request, cancellationToken);
        requests.Enqueue(JsonSerializer.Serialize(created));
        return created;
    }

    public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken)
    {
        requests.Enqueue(JsonSerializer.Serialize(new { storeId, pullPaymentId }));
        return inner.ArchivePullPaymentAsync(storeId, pullPaymentId, cancellationToken);
    }
}
