namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// TEST-ONLY crash points of the sandbox gateway (see <see cref="Core.Faults.CrashPoints"/> and Faults/CrashSwitch):
/// the moments where the gateway has recorded something the escrow has not heard about yet.
/// </summary>
public static class SandboxCrashPoints
{
    /// <summary>The sandbox stored a new pull payment; the outbox worker has not got its id back.</summary>
    public const string PullPaymentCreated = "sandbox.pull-payment.after-create";
    /// <summary>A payment (and the invoice's settlement) is stored; no event was sent.</summary>
    public const string PayRecorded = "sandbox.pay.after-record";
    /// <summary>The payment-received event was sent; the invoice-settled one was not.</summary>
    public const string PayBetweenEvents = "sandbox.pay.between-events";
    /// <summary>The claim is stored and the payout completed; no event was sent.</summary>
    public const string ClaimRecorded = "sandbox.claim.after-record";
    /// <summary>The payout-completed event was sent; the claimant's page was not answered.</summary>
    public const string ClaimEventSent = "sandbox.claim.after-event";
}
