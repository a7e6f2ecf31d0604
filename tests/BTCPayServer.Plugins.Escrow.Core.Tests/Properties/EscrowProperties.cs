using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using CsCheck;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Properties;

/// <summary>
/// Random contracts driven through random acts and gateway events (late, out of order, twice, invalidated and
/// settled again), amendments, rates that differ per payment, with every money rule checked after every step.
/// Sequences per currency group: <c>ESCROW_PROPERTY_ITERATIONS</c> (default <see cref="DefaultIterations"/> to keep CI
/// short; the audit of issue 10 ran 20,000 per group, see README).
/// </summary>
public class EscrowProperties
{
    public const int DefaultIterations = 2_500;

    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("ESCROW_PROPERTY_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultIterations;

    private static readonly OpKind[] Weighted =
    [
        OpKind.Fund, OpKind.Fund, OpKind.Fund, OpKind.Pay, OpKind.Pay, OpKind.Pay, OpKind.Pay,
        OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Redeliver, OpKind.Redeliver,
        OpKind.Submit, OpKind.Submit, OpKind.RequestChanges, OpKind.Approve, OpKind.Approve, OpKind.OpenDispute,
        OpKind.ProposeSplit, OpKind.AnswerSplit, OpKind.Escalate, OpKind.Rule, OpKind.Rule, OpKind.CancelMissed, OpKind.CancelContract,
        OpKind.AdvanceTime, OpKind.AdvanceTime, OpKind.RunTimers, OpKind.RunTimers, OpKind.AcceptLate, OpKind.RefundLate,
        OpKind.MakeClaimable, OpKind.MakeClaimable, OpKind.CompletePayout,
        OpKind.Invalidate, OpKind.Invalidate, OpKind.Resettle, OpKind.Resettle, OpKind.Amend, OpKind.Amend, OpKind.Amend,
    ];

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.OneOfConst(Weighted), Gen.Int[0, 63], Gen.Int[0, 63], Gen.Int[0, 63], (k, a, b, c) => new Op(k, a, b, c));

    /// <summary>Currencies by precision, each with both FX policies where it has a choice.</summary>
    public static readonly Dictionary<string, (string Currency, FxPolicy Fx)[]> CurrencyGroups = new()
    {
        ["bitcoin"] = [("BTC", FxPolicy.NotApplicable), ("SATS", FxPolicy.NotApplicable)],
        ["two-decimal"] = [("USD", FxPolicy.FiatProtected), ("EUR", FxPolicy.BtcLocked)],
        ["zero-decimal"] = [("JPY", FxPolicy.FiatProtected), ("JPY", FxPolicy.BtcLocked)],
        ["three-decimal"] = [("KWD", FxPolicy.FiatProtected), ("KWD", FxPolicy.BtcLocked)],
    };

    private static Gen<Scenario> GenScenario(string currencies) =>
        from currencyFx in Gen.OneOfConst(CurrencyGroups[currencies])
        from payer in Gen.OneOfConst(FeePayer.Freelancer, FeePayer.Client)
        from percent in Gen.OneOfConst(EscrowSimulation.FeePercents)
        from fixedTenths in Gen.OneOfConst(EscrowSimulation.FixedFeeTenths)
        from overpayment in Gen.OneOfConst(OverpaymentHandling.RollForward, OverpaymentHandling.Refund)
        from milestones in Gen.Int[1, 40].Array[1, 4]
        from ops in GenOp.Array[5, 80]
        select new Scenario(currencyFx.Currency, currencyFx.Fx, payer, percent, fixedTenths, overpayment, milestones, ops);

    [Theory]
    [InlineData("bitcoin")]
    [InlineData("two-decimal")]
    [InlineData("zero-decimal")]
    [InlineData("three-decimal")]
    public void Random_operation_sequences_keep_every_money_rule_after_every_step(string currencyGroup)
    {
        var stats = new int[4];
        GenScenario(currencyGroup).Sample(scenario =>
        {
            var simulation = new EscrowSimulation(scenario);
            var invariants = new LedgerInvariants();
            foreach (var op in scenario.Ops)
            {
                simulation.Run(op);
                invariants.Check(simulation.Contract);
            }
            simulation.Drain();
            invariants.Check(simulation.Contract, verifyAuditChain: true);
            Interlocked.Add(ref stats[0], simulation.DuplicatesIgnored);
            Interlocked.Add(ref stats[1], simulation.Contract.Payouts.Count);
            Interlocked.Add(ref stats[2], simulation.Contract.Payments.Count(p => p.Status == Funding.PaymentStatus.Invalidated)
                                          + simulation.Contract.UnsavedAuditEntries.Count(e => e.Type == "milestone.funding-reversed"));
            Interlocked.Add(ref stats[3], simulation.Amendments);
        }, iter: Iterations);
        // The generator must really exercise duplicates, payouts, invalidations and amendments, or the property proves nothing.
        var tenth = Iterations / 10;
        Assert.True(stats[0] > tenth, $"only {stats[0]} duplicate deliveries were tried");
        Assert.True(stats[1] > tenth, $"only {stats[1]} payouts were decided");
        Assert.True(stats[2] > tenth, $"only {stats[2]} invalidations took money back");
        Assert.True(stats[3] > tenth, $"only {stats[3]} amendments were applied");
    }

    [Theory]
    [InlineData("bitcoin")]
    [InlineData("two-decimal")]
    [InlineData("zero-decimal")]
    [InlineData("three-decimal")]
    public void Delivering_every_event_twice_ends_exactly_where_delivering_it_once_does(string currencyGroup)
    {
        GenScenario(currencyGroup).Sample(scenario =>
        {
            var once = new EscrowSimulation(scenario);
            var twice = new EscrowSimulation(scenario, duplicateEveryEvent: true);
            foreach (var op in scenario.Ops)
            {
                once.Run(op);
                twice.Run(op);
            }
            once.Drain();
            twice.Drain();
            Assert.Equal(once.Snapshot(), twice.Snapshot());
        }, iter: Math.Max(1, Iterations / 4));
    }
}
