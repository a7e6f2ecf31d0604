namespace BTCPayServer.Plugins.Escrow.Core.Audit;

public enum ActorRole
{
    Agency,
    Client,
    Freelancer,
    /// <summary>Timers and workers of the plugin itself.</summary>
    System,
    /// <summary>The payment gateway reporting invoices and payouts.</summary>
    PaymentProvider,
}

/// <summary>Who did something: a role and an identity within it (a staff user id, "client", "timer", ...).</summary>
public sealed record Actor(ActorRole Role, string Id)
{
    public static readonly Actor Client = new(ActorRole.Client, "client");
    public static readonly Actor Freelancer = new(ActorRole.Freelancer, "freelancer");
    public static readonly Actor Timer = new(ActorRole.System, "timer");
    public static readonly Actor PayoutWorker = new(ActorRole.System, "payout-worker");
    /// <summary>Issues the fresh link each party email carries.</summary>
    public static readonly Actor Mailer = new(ActorRole.System, "mailer");
    /// <summary>The store's public "Email me my link" page, acting for whoever typed a party's address into it.</summary>
    public static readonly Actor LinkRequestPage = new(ActorRole.System, "link-request-page");
    public static readonly Actor PaymentProvider = new(ActorRole.PaymentProvider, "payment-gateway");

    public static Actor Agency(string userId) => new(ActorRole.Agency, userId);

    public static Actor Party(Contracts.PartyRole role) => role == Contracts.PartyRole.Client ? Client : Freelancer;
}
