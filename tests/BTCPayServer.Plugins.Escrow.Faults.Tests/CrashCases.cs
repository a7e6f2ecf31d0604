namespace BTCPayServer.Plugins.Escrow.Faults.Tests;

/// <summary>
/// One crash: where the host is killed (a crash point and which time it is reached), what that proves, what the
/// agency's page must show right after the restart (after the start-up reconciliation; several answers where the
/// outbox worker may already have run), and how many invoices the sandbox must hold at the end (one more than the
/// two funded ones when the crash orphaned an invoice the escrow never registered).
/// </summary>
public sealed record CrashCase(string At, string Proves, int SandboxInvoices, params string[] AfterRestart);

/// <summary>
/// The crash points along the flow of <see cref="Infrastructure.EscrowFlow"/>. Occurrences follow that flow's fixed order:
/// contract saves (uow.*): 1 propose, 2-3 acceptances, 4 invoice registered #1, 5 payment received #1, 6 invoice settled #1,
/// 7 submit #1, 8 approve #1, 9 pull payment recorded #1 (worker), 10 payout completed #1, 11-17 the same for milestone 2.
/// Inbound events (event.*): 1 payment received #1, 2 invoice settled #1, 3 payout completed #1, 4-6 the same for #2.
/// </summary>
public static class CrashCases
{
    private const string Pending = "Active | Pending,Pending | ";
    private const string Funded1 = "Active | Funded,Pending | ";
    private const string Approved1 = "Active | Approved,Pending | Queued";
    private const string Claimable1 = "Active | Released,Pending | Claimable";
    private const string PaidOut1 = "Active | Released,Pending | Completed";
    private const string Approved2 = "Active | Released,Approved | Completed,Queued";
    private const string Claimable2 = "Completed | Released,Released | Completed,Claimable";
    private const string PaidOut2 = "Completed | Released,Released | Completed,Completed";

    public static readonly IReadOnlyList<CrashCase> All =
    [
        // Agreeing on the terms.
        new("uow.before-save#1", "a proposal lost before it was stored is simply made again", 2, "Draft | Pending,Pending | "),
        new("uow.after-save#1", "a stored proposal whose one-time links were lost with the answer gets its links reissued", 2, "Proposed | Pending,Pending | "),
        new("uow.after-save#3", "the second acceptance is stored even though its answer was lost", 2, Pending),
        // Funding: invoice creation.
        new("funding.after-gateway-before-save#1", "an invoice the gateway made but the escrow never registered stays an unpaid orphan (its checkout link was never handed out); funding again makes a new one", 3, Pending),
        new("uow.after-save#4", "a registered invoice whose answer was lost is reused when the client funds again (no second invoice)", 2, Pending),
        // Funding: payment.
        new("sandbox.pay.after-record#1", "a payment the gateway recorded but never reported is found by the start-up reconciliation", 2, Funded1),
        new("event.before-apply#1", "the same, with the event handed over but not applied", 2, Funded1),
        new("sandbox.pay.between-events#1", "a settlement never reported (the payment was) is found by the reconciliation, the payment counted once", 2, Funded1),
        new("uow.before-save#6", "an invoice-settled event whose save was cut off is applied again from the gateway's state", 2, Funded1),
        new("event.after-apply#2", "a settlement applied before the crash is not applied twice by the reconciliation", 2, Funded1),
        // Delivery and approval.
        new("uow.before-save#8", "an approval lost before it was stored is given again; no payout was queued for it", 2, "Active | Submitted,Pending | "),
        new("uow.after-save#8", "a stored approval (decision and outbox row in one save) is paid out by the worker after the restart", 2, Approved1, Claimable1),
        // The outbox: pull payment creation.
        new("outbox.before-gateway#1", "a queued payout the worker had not sent yet is sent after the restart", 2, Approved1, Claimable1),
        new("sandbox.pull-payment.after-create#1", "a pull payment the gateway made but the worker never heard of is found again by its reference: one pull payment", 2, Approved1, Claimable1),
        new("outbox.after-gateway-before-save#1", "the same, from the worker's side: the retry gets the same pull payment back", 2, Approved1, Claimable1),
        new("outbox.after-save#1", "a recorded pull payment is not made again", 2, Claimable1),
        // Claim and payout completed.
        new("sandbox.claim.after-record#1", "a payout the gateway completed but never reported is found by the reconciliation", 2, PaidOut1),
        new("uow.before-save#10", "the same, with the payout-completed event's save cut off: applied again from the gateway's state", 2, PaidOut1),
        new("sandbox.claim.after-event#1", "a completed payout applied before the crash is not completed twice", 2, PaidOut1),
        // The second milestone, with the first one paid out already.
        new("sandbox.pay.after-record#2", "a missed payment of the second milestone is reconciled without touching the first", 2, "Active | Released,Funded | Completed"),
        new("outbox.after-gateway-before-save#2", "the second decision still gets exactly one pull payment", 2, Approved2, Claimable2),
        new("sandbox.claim.after-record#2", "the last payout, completed but never reported, completes the contract after the restart", 2, PaidOut2),
        new("uow.after-save#17", "the last save of the flow is kept whole", 2, PaidOut2),
    ];

    public static CrashCase Get(string at) => All.Single(c => c.At == at);

    /// <summary>Up to the client's approval.</summary>
    public static TheoryData<string> BeforePayout => Data(All.TakeWhile(c => !c.At.StartsWith("uow.after-save#8", StringComparison.Ordinal)));

    /// <summary>From the stored approval on: outbox, pull payment, claim, and the second milestone.</summary>
    public static TheoryData<string> Payout => Data(All.SkipWhile(c => !c.At.StartsWith("uow.after-save#8", StringComparison.Ordinal)));

    private static TheoryData<string> Data(IEnumerable<CrashCase> cases)
    {
        var data = new TheoryData<string>();
        foreach (var c in cases)
            data.Add(c.At);
        return data;
    }
}
