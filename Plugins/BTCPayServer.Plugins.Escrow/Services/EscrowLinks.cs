using BTCPayServer.Abstractions;
using BTCPayServer.Abstractions.Extensions;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Services;
using BTCPayServer.Services.Invoices;
using Microsoft.AspNetCore.Http;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The address people reach this server at, for the links the escrow hands out (checkout, claim). Payouts are made by
/// a background task, outside any request, so there are three sources, in this order: the current request, the
/// server's Base URL setting, and the address the contract's client paid through.
/// </summary>
public sealed class EscrowLinks(IHttpContextAccessor httpContext, ISettingsAccessor<ServerSettings> serverSettings, InvoiceRepository invoices)
{
    public async Task<RequestBaseUrl> BaseUrlAsync(string storeId, Guid contractId, CancellationToken cancellationToken)
    {
        if (httpContext.HttpContext?.Request is { } request)
            return request.GetRequestBaseUrl();
        if (RequestBaseUrl.TryFromUrl(serverSettings.Settings.BaseUrl ?? "", out var configured))
            return configured;
        var latest = await invoices.GetInvoices(new InvoiceQuery { StoreId = [storeId], OrderId = [EscrowMarks.OrderId(contractId)], Take = 1 }, cancellationToken);
        if (latest.FirstOrDefault()?.ServerUrl is { Length: > 0 } paidThrough && RequestBaseUrl.TryFromUrl(paidThrough, out var fromInvoice))
            return fromInvoice;
        throw new EscrowException("gateway.no-base-url",
            "This server's public address is not known outside a web request: set it in Server settings > Branding > Base URL.");
    }
}
