namespace BTCPayServer.Plugins.Escrow.Core.Faults;

/// <summary>
/// TEST-ONLY crash switch. Named points along funding → approval → outbox → pull payment → payout completed, where the
/// fault tests stop the process at once (SIGKILL) to prove that a restart loses and doubles nothing.
/// <para>
/// In production <see cref="Hook"/> is null: <see cref="Reach"/> is one null check and does nothing. Only the standalone
/// host installs a hook, and only when the explicit setting <c>Escrow:CrashAt</c> (environment <c>ESCROW__CRASHAT</c>)
/// names a point; the BTCPay plugin never installs one.
/// </para>
/// </summary>
public static class CrashPoints
{
    // Contract unit of work (every saved act, by person, event or worker).
    public const string BeforeSave = "uow.before-save";
    public const string AfterSave = "uow.after-save";
    // Funding: the gateway made the invoice; the contract does not know it yet.
    public const string FundingAfterGatewayBeforeSave = "funding.after-gateway-before-save";
    // Inbound payment events.
    public const string EventBeforeApply = "event.before-apply";
    public const string EventAfterApply = "event.after-apply";
    // The payout outbox worker.
    public const string OutboxBeforeGateway = "outbox.before-gateway";
    public const string OutboxAfterGatewayBeforeSave = "outbox.after-gateway-before-save";
    public const string OutboxAfterSave = "outbox.after-save";

    /// <summary>Called with the point's name each time a point is reached. Null (the default): nothing happens.</summary>
    public static Action<string>? Hook { get; set; }

    public static void Reach(string name) => Hook?.Invoke(name);
}
