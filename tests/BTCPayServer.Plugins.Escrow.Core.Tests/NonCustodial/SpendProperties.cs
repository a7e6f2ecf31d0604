using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using CsCheck;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

/// <summary>
/// Random decisions, amounts around the dust limits, fee rates, address types and numbers of funding outputs: every
/// spend the planner agrees to is signed by two separate wallets, finalised and accepted by the strict sandbox chain.
/// </summary>
public class SpendProperties
{
    private const int Iterations = 300;
    private static readonly EscrowFixture Shared = new(seed: 9);

    private static readonly ScriptPubKeyType[] AddressTypes =
        [ScriptPubKeyType.Legacy, ScriptPubKeyType.SegwitP2SH, ScriptPubKeyType.Segwit, ScriptPubKeyType.TaprootBIP86];

    private sealed record Case(long[] Coins, SpendKind Kind, long ToFreelancer, long AgencyFee, decimal FeeRate,
        ScriptPubKeyType ClientType, ScriptPubKeyType FreelancerType, ScriptPubKeyType AgencyType, bool ClientSignsSplit)
    {
        public long Total => Coins.Sum();
    }

    /// <summary>Amounts near the places where outputs turn to dust, and anywhere.</summary>
    private static Gen<long> Share(long total) => Gen.OneOf(
        Gen.Const(0L), Gen.Const(total), Gen.Long[0, Math.Min(total, 2_000)], Gen.Long[Math.Max(0, total - 2_000), total], Gen.Long[0, total]);

    private static readonly Gen<Case> GenCase =
        from coins in Gen.OneOf(Gen.Long[600, 5_000], Gen.Long[5_000, 200_000], Gen.Long[200_000, 300_000_000]).Array[1, 3]
        let total = coins.Sum()
        from kind in Gen.OneOfConst(SpendKind.Release, SpendKind.ClientRefund, SpendKind.Ruling, SpendKind.AgreedSplit)
        from toFreelancer in Share(total)
        from agencyFee in Gen.OneOf(Gen.Const(0L), Gen.Long[1, 700], Gen.Long[0, Math.Max(0, (total - toFreelancer) / 10)])
        from feeRateCents in Gen.OneOf(Gen.Int[100, 300], Gen.Int[100, 20_000])
        from types in Gen.OneOfConst(AddressTypes).Array[3]
        from clientSigns in Gen.Bool
        select new Case(coins, kind, toFreelancer, Math.Min(agencyFee, total - toFreelancer), feeRateCents / 100m, types[0], types[1], types[2], clientSigns);

    private static SpendDecision Decision(Case c) => c.Kind switch
    {
        SpendKind.Release => SpendDecision.Release(Money.Satoshis(c.AgencyFee)),
        SpendKind.ClientRefund => SpendDecision.RefundClient(),
        SpendKind.Ruling => SpendDecision.Rule(Money.Satoshis(c.ToFreelancer), Money.Satoshis(c.AgencyFee)),
        _ => SpendDecision.AgreedSplit(Money.Satoshis(c.ToFreelancer), Money.Satoshis(c.AgencyFee)),
    };

    [Fact]
    public void Every_planned_spend_is_valid_standard_within_the_escrow_and_shares_the_fee()
    {
        int accepted = 0, refused = 0, folded = 0, bothPaid = 0;
        GenCase.Sample(c =>
        {
            var f = Shared;
            var payees = new Payees(EscrowFixture.NewAddress(c.ClientType), EscrowFixture.NewAddress(c.FreelancerType), EscrowFixture.NewAddress(c.AgencyType));
            var coins = c.Coins.Select(sats => f.Fund(sats)).ToList();
            var decision = Decision(c);
            var total = Money.Satoshis(c.Total);
            var round = EscrowSpends.Propose(f.Escrow, coins, decision, payees, c.FeeRate);
            if (!round.IsValid)
            {
                // The only refusals a sound decision can get: too little left after the fee at this rate.
                Assert.Contains("too little", round.Problem);
                Interlocked.Increment(ref refused);
                return;
            }
            var plan = SpendPlanner.Plan(decision, total, coins.Count, payees, c.FeeRate, EscrowFixture.Net).Unwrap();
            var signers = plan.Signers.Mandatory is { } mandatory
                ? new[] { mandatory, c.ClientSignsSplit ? EscrowRole.Client : EscrowRole.Freelancer }
                : plan.Signers.Eligible.ToArray();

            var spend = f.SignBy(round.Value!, signers).Finalise();
            Assert.True(spend.IsValid, spend.Problem);
            var tx = spend.Value!.Transaction;
            var submitted = f.Chain.Submit(tx);
            Assert.True(submitted.IsValid, submitted.Problem);

            // Never more than the escrow, every output relayable, at least the chosen rate on the real size.
            var paid = tx.Outputs.Sum(o => o.Value.Satoshi);
            Assert.Equal(c.Total, paid + spend.Value.Fee.Satoshi);
            Assert.True(spend.Value.Fee.Satoshi >= Math.Ceiling(c.FeeRate * spend.Value.VirtualSize), $"{spend.Value.Fee} for {spend.Value.VirtualSize} vB at {c.FeeRate}");
            Assert.All(tx.Outputs, o => Assert.False(DustThreshold.IsDust(o)));

            // The agency gets its fee exactly, or nothing when the fee is dust; the network fee is never its.
            var toAgency = plan.Outputs.Where(o => o.Role == EscrowRole.Agency).Sum(o => o.Amount.Satoshi);
            Assert.True(toAgency == decision.AgencyFee.Satoshi || (toAgency == 0 && decision.AgencyFee < DustThreshold.For(payees.Agency!.ScriptPubKey)));

            var clientGross = decision.ClientGross(total).Satoshi;
            var freelancerGross = decision.FreelancerGross(total).Satoshi;
            var toClient = plan.Outputs.Where(o => o.Role == EscrowRole.Client).Sum(o => o.Amount.Satoshi);
            var toFreelancer = plan.Outputs.Where(o => o.Role == EscrowRole.Freelancer).Sum(o => o.Amount.Satoshi);
            if (toClient > 0 && toFreelancer > 0)
            {
                // Both paid: both carry part of the fee, each within 1 sat of its share (or the 1-sat floor). Only a
                // dust agency fee folded into the network fee can leave the parties (both) less than 2 sat to pay.
                Interlocked.Increment(ref bothPaid);
                var due = (plan.FeeFromClient + plan.FeeFromFreelancer).Satoshi;
                Assert.True(due < 2 ? toAgency == 0 && decision.AgencyFee > Money.Zero : plan.FeeFromClient.Satoshi >= 1 && plan.FeeFromFreelancer.Satoshi >= 1);
                Assert.Equal(clientGross - plan.FeeFromClient.Satoshi, toClient);
                Assert.Equal(freelancerGross - plan.FeeFromFreelancer.Satoshi, toFreelancer);
                var exact = (decimal)due * clientGross / (clientGross + freelancerGross);
                Assert.True(Math.Abs(plan.FeeFromClient.Satoshi - exact) <= 1 || plan.FeeFromClient.Satoshi == 1 || plan.FeeFromFreelancer.Satoshi == 1);
            }
            else if (clientGross > 0 && freelancerGross > 0)
            {
                // One side was folded away: it was dust after its part of the fee, and the other side received it.
                Interlocked.Increment(ref folded);
                Assert.NotEmpty(plan.Notes);
                var small = toClient > 0 ? freelancerGross : clientGross;
                // Its fee share came from the fee before folding, which had one more output (at most 43 bytes).
                var feeBeforeFolding = spend.Value.Fee.Satoshi + (long)Math.Ceiling(c.FeeRate * 43) + 1;
                Assert.True(small < DustThreshold.For(toClient > 0 ? payees.Freelancer.ScriptPubKey : payees.Client.ScriptPubKey).Satoshi + feeBeforeFolding);
                Assert.Equal(clientGross + freelancerGross - (plan.FeeFromClient + plan.FeeFromFreelancer).Satoshi, toClient + toFreelancer);
            }
            Assert.True(toClient <= clientGross + freelancerGross && toFreelancer <= clientGross + freelancerGross);
            Interlocked.Increment(ref accepted);
        }, iter: Iterations, threads: 2);

        // The generator must reach each region, or the property proves little.
        Assert.True(accepted > Iterations / 2, $"accepted {accepted}");
        Assert.True(bothPaid > 20, $"both paid {bothPaid}");
        Assert.True(folded > 5, $"folded {folded}");
        Assert.True(refused > 0, $"refused {refused}");
    }

    [Fact]
    public void Shares_above_the_escrow_are_refused_whatever_the_rate()
    {
        Gen.Select(Gen.Long[1_000, 10_000_000], Gen.Long[1, 1_000_000], Gen.Int[100, 10_000]).Sample((total, over, rateCents) =>
        {
            var payees = Shared.Payees;
            var plan = SpendPlanner.Plan(SpendDecision.Rule(Money.Satoshis(total + over), Money.Zero), Money.Satoshis(total), 1, payees, rateCents / 100m, EscrowFixture.Net);
            Assert.Equal("decision", plan.Field);
            Assert.Contains("more than", plan.Problem);
        }, iter: 300);
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(0)]
    [InlineData(1000.01)]
    public void A_fee_rate_outside_the_bounds_is_refused(double rate)
    {
        var plan = SpendPlanner.Plan(SpendDecision.RefundClient(), Money.Satoshis(100_000), 1, Shared.Payees, (decimal)rate, EscrowFixture.Net);

        Assert.Equal("feeRate", plan.Field);
    }
}
