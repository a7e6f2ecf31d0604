using BTCPayServer.Plugins.Escrow.Core.Contracts;
using CsCheck;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Properties;

public class EscrowProperties
{
    private static readonly OpKind[] Weighted =
    [
        OpKind.Fund, OpKind.Fund, OpKind.Fund, OpKind.Pay, OpKind.Pay, OpKind.Pay, OpKind.Pay,
        OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Deliver, OpKind.Redeliver, OpKind.Redeliver,
        OpKind.Submit, OpKind.Submit, OpKind.RequestChanges, OpKind.Approve, OpKind.Approve, OpKind.OpenDispute,
        OpKind.ProposeSplit, OpKind.AnswerSplit, OpKind.Escalate, OpKind.Rule, OpKind.Rule, OpKind.CancelMissed, OpKind.CancelContract,
        OpKind.AdvanceTime, OpKind.AdvanceTime, OpKind.RunTimers, OpKind.RunTimers, OpKind.AcceptLate, OpKind.RefundLate,
        OpKind.MakeClaimable, OpKind.MakeClaimable, OpKind.CompletePayout,
    ];

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.OneOfConst(Weighted), Gen.Int[0, 63], Gen.Int[0, 63], Gen.Int[0, 63], (k, a, b, c) => new Op(k, a, b, c));

    private static readonly Gen<Scenario> GenScenario =
        from currencyFx in Gen.OneOfConst(("BTC", FxPolicy.NotApplicable), ("SATS", FxPolicy.NotApplicable), ("USD", FxPolicy.FiatProtected), ("EUR", FxPolicy.BtcLocked))
        from payer in Gen.OneOfConst(FeePayer.Freelancer, FeePayer.Client)
        from percent in Gen.OneOfConst(0m, 2.5m, 10m)
        from fixedUnits in Gen.OneOfConst(0, 0, 3)
        from overpayment in Gen.OneOfConst(OverpaymentHandling.RollForward, OverpaymentHandling.Refund)
        from milestones in Gen.Int[1, 40].Array[1, 4]
        from ops in GenOp.Array[5, 80]
        select new Scenario(currencyFx.Item1, currencyFx.Item2, payer, percent, fixedUnits, overpayment, milestones, ops);

    [Fact]
    public void Random_operation_sequences_keep_every_ledger_invariant_after_every_step()
    {
        var stats = new int[2];
        GenScenario.Sample(scenario =>
        {
            var simulation = new EscrowSimulation(scenario);
            foreach (var op in scenario.Ops)
            {
                simulation.Run(op);
                LedgerInvariants.Check(simulation.Contract);
            }
            simulation.Drain();
            LedgerInvariants.Check(simulation.Contract);
            Interlocked.Add(ref stats[0], simulation.DuplicatesIgnored);
            Interlocked.Add(ref stats[1], simulation.Contract.Payouts.Count);
        }, iter: 3000, threads: 1);
        // The generator must really exercise duplicates and payouts, or the property proves nothing.
        Assert.True(stats[0] > 500, $"only {stats[0]} duplicate deliveries were tried");
        Assert.True(stats[1] > 500, $"only {stats[1]} payouts were decided");
    }

    [Fact]
    public void Delivering_every_event_twice_ends_exactly_where_delivering_it_once_does()
    {
        GenScenario.Sample(scenario =>
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
        }, iter: 2000, threads: 1);
    }
}
