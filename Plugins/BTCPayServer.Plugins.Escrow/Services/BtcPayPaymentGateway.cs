using BTCPayServer.Client.Models;
using BTCPayServer.Controllers;
using BTCPayServer.Data;
using BTCPayServer.HostedServices;
using BTCPayServer.Payouts;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Services.Stores;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StoreData = BTCPayServer.Data.StoreData;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// The escrow's payment gateway inside BTCPay: funding invoices through the store's own checkout, releases and refunds
/// as pull payments the recipient claims. BTCPay's services are called in-process; links come from BTCPay's link helpers.
/// </summary>
public sealed class BtcPayPaymentGateway(
    IServiceScopeFactory scopes,
    StoreRepository storeRepository,
    PullPaymentHostedService pullPayments,
    PayoutMethodHandlerDictionary payoutHandlers,
    ApplicationDbContextFactory btcpayDatabase,
    LinkGenerator linkGenerator,
    EscrowLinks escrowLinks) : IPaymentGateway
{
    public async Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken)
    {
        var store = await FindStoreAsync(request.StoreId);
        var baseUrl = escrowLinks.RequestBase();
        var create = new CreateInvoiceRequest
        {
            Amount = request.Amount.Amount,
            Currency = request.Amount.Currency,
            Metadata = EscrowMarks.FundingMetadata(request),
            Checkout = new InvoiceDataBase.CheckoutOptions
            {
                PaymentMethods = request.PaymentMethods.ToArray(),
                // The escrow's token-free return address (escrow/return/{contractId}): BTCPay shows it to store staff,
                // Greenfield and webhooks, so it must never be a party link.
                RedirectURL = request.RedirectUrl,
                RedirectAutomatically = true,
            },
        };
        // BTCPay creates invoices on its invoice controller; outside a controller, that controller comes from a scope.
        await using var scope = scopes.CreateAsyncScope();
        var invoiceController = scope.ServiceProvider.GetRequiredService<UIInvoiceController>();
        try
        {
            var invoice = await invoiceController.CreateInvoiceCoreRaw(create, store, baseUrl.ToString(), [EscrowMarks.InvoiceTag(request.ContractId)], cancellationToken);
            return new CreatedInvoice(invoice.Id, linkGenerator.InvoiceCheckoutLink(invoice.Id, baseUrl));
        }
        catch (BitpayHttpException e)
        {
            // No wallet for the allowed payment methods, no rate, no active user: the store cannot take money yet.
            throw GatewayRefusals.InvoiceRefused(e.Message);
        }
    }

    public async Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken)
    {
        var store = await FindStoreAsync(request.StoreId);
        var description = EscrowMarks.PayoutDescription(request);
        var pullPaymentId = await FindMadeEarlierAsync(request, [description, EscrowMarks.LegacyPayoutDescription(request.Reference)], cancellationToken)
                            ?? await CreateAsync(store, request, description);
        var baseUrl = escrowLinks.RequestBase();
        return new CreatedPullPayment(pullPaymentId, linkGenerator.PullPaymentLink(pullPaymentId, baseUrl));
    }

    /// <summary>Archives the pull payment and cancels its payouts not yet sent (what BTCPay's own archive does).</summary>
    public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken) =>
        pullPayments.Cancel(new PullPaymentHostedService.CancelRequest(pullPaymentId) { StoreIds = [storeId] });

    private async Task<string> CreateAsync(StoreData store, PullPaymentRequest request, string description)
    {
        var create = new CreatePullPaymentRequest
        {
            // The claim page shows both: the name is the human title, the description a short reference.
            Name = request.Description,
            Description = description,
            Amount = request.Amount.Amount,
            Currency = request.Amount.Currency,
            PayoutMethods = UsablePayoutMethods(store, request),
            AutoApproveClaims = request.AutoApproveClaims,
        };
        // A client refund is linked to the invoice its money came from: BTCPay lists it there and tells the store's webhooks.
        return request.RefundOfInvoiceId is { } invoiceId
            ? await pullPayments.CreateRefundPullPayment(store, create, invoiceId)
            : await pullPayments.CreatePullPayment(store, create);
    }

    /// <summary>
    /// The pull payment an earlier attempt already made for this instruction: a crash can fall between BTCPay creating it
    /// and the escrow saving its id, and the retry must not make a second one.
    /// </summary>
    private async Task<string?> FindMadeEarlierAsync(PullPaymentRequest request, string[] descriptions, CancellationToken cancellationToken)
    {
        await using var db = btcpayDatabase.CreateContext();
        var sameAmount = await db.PullPayments
            .Where(p => p.StoreId == request.StoreId && p.Currency == request.Amount.Currency && p.Limit == request.Amount.Amount)
            .ToListAsync(cancellationToken);
        return sameAmount.FirstOrDefault(p => descriptions.Contains(p.GetBlob().Description))?.Id;
    }

    /// <summary>
    /// The store's allowed payout methods that it can actually pay with now (BTCPay keeps a requested method even when the
    /// store has no wallet or node for it, and the claim would fail later).
    /// </summary>
    private string[] UsablePayoutMethods(StoreData store, PullPaymentRequest request)
    {
        var supported = payoutHandlers.GetSupportedPayoutMethods(store);
        var usable = request.PayoutMethods
            .Select(method => PayoutMethodId.TryParse(method))
            .OfType<PayoutMethodId>()
            .Where(method => supported.Contains(method))
            .Select(method => method.ToString())
            .ToArray();
        if (usable.Length == 0)
            throw new EscrowException("gateway.no-payout-method",
                $"The store cannot pay out with any of the methods its escrow settings allow ({string.Join(", ", request.PayoutMethods)}): connect a wallet or Lightning node; the payout is retried.");
        return usable;
    }

    private async Task<StoreData> FindStoreAsync(string storeId) =>
        await storeRepository.FindStore(storeId)
        ?? throw new EscrowException("gateway.store-not-found", "The store of this contract no longer exists.");
}
