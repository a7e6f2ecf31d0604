using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Stores;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// The non-custodial flow through the application services and real storage, on the strict sandbox chain: keys, escrow
/// address, pre-signed refund, funding seen on chain as payment events, approval paid by a release both parties sign in
/// their own wallets (keys generated here), broadcast and confirmed.
/// </summary>
public abstract class NonCustodialFlowTests(StoreDatabase database)
{
    private static readonly Network Net = Network.RegTest;

    /// <summary>A party's own wallet: exports its key with origin, signs what names its fingerprint.</summary>
    private sealed class Wallet(int seed)
    {
        private readonly ExtKey _master = Master(seed);
        private static ExtKey Master(int seed)
        {
            var bytes = new byte[32];
            new Random(seed).NextBytes(bytes);
            return new ExtKey(Convert.ToHexString(bytes));
        }

        public ExtKey Account => _master.Derive(new KeyPath("48'/1'/0'/2'"));
        public string Exported => $"[{_master.GetPublicKey().GetHDFingerPrint()}/48h/1h/0h/2h]{Account.Neuter().GetWif(Net)}";
        public string Payout { get; } = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Net).ToString();

        public string Sign(string psbtBase64)
        {
            var psbt = PSBT.Parse(psbtBase64, Net);
            foreach (var input in psbt.Inputs)
                foreach (var (_, path) in input.HDKeyPaths)
                    if (path.MasterFingerprint == _master.GetPublicKey().GetHDFingerPrint())
                        input.Sign(_master.Derive(path.KeyPath).PrivateKey);
            return psbt.ToBase64();
        }
    }

    private sealed class NoGateway : IPaymentGateway
    {
        public Task<CreatedInvoice> CreateFundingInvoiceAsync(FundingInvoiceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<CreatedPullPayment> CreatePullPaymentAsync(PullPaymentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ArchivePullPaymentAsync(string storeId, string pullPaymentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Setup
    {
        public required FakeTimeProvider Clock { get; init; }
        public required SandboxChain Chain { get; init; }
        public required NonCustodialEscrows Escrows { get; init; }
        public required EscrowChainWatcher Watcher { get; init; }
        public required PartyActions Parties { get; init; }
        public required string StoreId { get; init; }
        public required Guid ContractId { get; init; }
        public required Guid MilestoneId { get; init; }
        public required string ClientToken { get; init; }
        public required string FreelancerToken { get; init; }
        public Wallet Client { get; } = new(101);
        public Wallet Freelancer { get; } = new(102);
        public Wallet Agency { get; } = new(103);
    }

    private async Task<Setup> ProposedAsync()
    {
        var clock = Build.Clock();
        var chain = new SandboxChain(Net, height: 500);
        var escrowChain = new SandboxEscrowChain(chain);
        var storeId = Build.Unique("store");
        var stores = new EfContractStoreFactory(database.NewContext);
        var settings = new EfStoreSettingsStore(database.NewContext, clock);
        var escrows = new NonCustodialEscrows(stores, escrowChain, settings, new EfEscrowIndexCounter(database.NewContext), clock);
        var watcher = new EscrowChainWatcher(new EfEscrowWatchList(database.NewContext, clock), stores, escrowChain, escrows,
            new PaymentEventHandler(stores, clock), clock);
        var contract = Build.Draft(clock, storeId, Build.Terms(1, "BTC", _ => 0.01m));
        contract.ChooseCustody(CustodyMode.NonCustodial, Build.Agency, clock.GetUtcNow());
        contract.Propose(Build.Agency, clock.GetUtcNow());
        var clientToken = contract.IssuePartyLink(PartyRole.Client, Build.Agency, clock.GetUtcNow());
        var freelancerToken = contract.IssuePartyLink(PartyRole.Freelancer, Build.Agency, clock.GetUtcNow());
        await database.AddAsync(contract);
        var setup = new Setup
        {
            Clock = clock, Chain = chain, Escrows = escrows, Watcher = watcher, Parties = new PartyActions(stores, new NoGateway(), settings, clock),
            StoreId = storeId, ContractId = contract.Id, MilestoneId = contract.Milestones[0].Id, ClientToken = clientToken, FreelancerToken = freelancerToken,
        };
        await settings.SaveAsync(storeId, new StoreEscrowSettings { AgencyKey = setup.Agency.Exported, AgencyPayoutAddress = setup.Agency.Payout }.Validated(Net), CancellationToken.None);
        return setup;
    }

    private async Task<Setup> ActiveAsync()
    {
        var s = await ProposedAsync();
        await s.Escrows.SubmitKeyAsync(s.ClientToken, s.Client.Exported, s.Client.Payout, CancellationToken.None);
        await s.Escrows.SubmitKeyAsync(s.FreelancerToken, s.Freelancer.Exported, s.Freelancer.Payout, CancellationToken.None);
        var hash = (await database.LoadAsync(s.ContractId)).LatestTermsVersion!.Hash;
        await s.Parties.AcceptTermsAsync(s.ClientToken, hash, CancellationToken.None);
        await s.Parties.AcceptTermsAsync(s.FreelancerToken, hash, CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        return s;
    }

    /// <summary>The client's wallet prepares, unsigned, the payment of <paramref name="sats"/> to the escrow address.</summary>
    private static (PSBT Psbt, Key Key) PrepareFunding(Setup s, string escrowAddress, long sats)
    {
        var hot = new Key();
        var funding = s.Chain.Fund(hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net), NBitcoin.Money.Satoshis(sats + 100_000));
        var coin = new Coin(funding, 0);
        var tx = Net.CreateTransaction();
        tx.Version = 2;
        tx.Inputs.Add(new TxIn(coin.Outpoint) { Sequence = 0xfffffffd });
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(sats), BitcoinAddress.Create(escrowAddress, Net)));
        tx.Outputs.Add(new TxOut(NBitcoin.Money.Satoshis(99_000), hot.PubKey.GetAddress(ScriptPubKeyType.Segwit, Net)));
        var psbt = PSBT.FromTransaction(tx, Net);
        psbt.AddCoins(coin);
        return (psbt, hot);
    }

    [Fact]
    public async Task A_milestone_is_funded_through_its_escrow_address_and_released_by_client_and_freelancer_signatures()
    {
        var s = await ActiveAsync();
        var contract = await database.LoadAsync(s.ContractId);
        var record = Assert.Single(contract.NonCustodial.Milestones);
        var keys = EscrowKeySet.Parse(s.Client.Exported, s.Freelancer.Exported, s.Agency.Exported, Net).Unwrap();
        Assert.Equal(new MilestoneEscrow(keys, record.Index).Address.ToString(), record.Address);
        Assert.Equal(1_000_000, record.AmountSats);

        // Refund first: the client's unsigned funding, then freelancer and agency sign the refund.
        var (funding, hot) = PrepareFunding(s, record.Address, record.AmountSats);
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None);
        var refund = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].Refund!;
        await s.Escrows.SignRefundAsync(s.FreelancerToken, s.MilestoneId, s.Freelancer.Sign(refund.IssuedPsbt), CancellationToken.None);
        Assert.Empty((await database.LoadAsync(s.ContractId)).Invoices);
        await s.Escrows.SignRefundAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, s.Agency.Sign(refund.IssuedPsbt), CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        record = contract.NonCustodial.Milestones[0];
        Assert.True(record.RefundReady);
        var signedRefund = Transaction.Parse(record.SignedRefundHex!, Net);
        Assert.Equal("chain:" + record.Address, Assert.Single(contract.Invoices).InvoiceId);
        // The gateway's reconciliation never asks the payment gateway about an escrow address.
        Assert.DoesNotContain("chain:" + record.Address, await new EfGatewayWatchList(database.NewContext, Build.Clock()).ListWatchedInvoicesAsync(CancellationToken.None));

        // The client signs and sends the funding; seen on chain, then confirmed.
        funding.SignWithKeys(hot).Finalize();
        Assert.True(s.Chain.Submit(funding.ExtractTransaction()).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        Assert.Equal(MilestoneState.Pending, (await database.LoadAsync(s.ContractId)).Milestones[0].State);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(MilestoneState.Funded, contract.Milestones[0].State);
        Assert.Equal(0.01m, contract.Milestones[0].Funded.Amount);

        // Delivered and approved: the release is a signing round, not a pull payment.
        await s.Parties.SubmitDeliverableAsync(s.FreelancerToken, s.MilestoneId, "Done", [], [], CancellationToken.None);
        await s.Parties.ApproveAsync(s.ClientToken, s.MilestoneId, CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        var spend = Assert.Single(contract.NonCustodial.Spends);
        Assert.Equal(SpendKind.Release, spend.Round.Kind);
        Assert.Equal("the client and the freelancer", spend.Round.StillNeeded());
        Assert.All(contract.Payouts, p => Assert.Equal(PayoutStatus.Claimable, p.Status));

        // A tampered upload is refused, naming the field, and nothing is stored.
        var tampered = PSBT.Parse(s.Client.Sign(spend.Round.IssuedPsbt), Net);
        tampered.Outputs[0].Value += NBitcoin.Money.Satoshis(1);
        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            s.Escrows.SignSpendAsync(s.ClientToken, spend.Id, tampered.ToBase64(), CancellationToken.None));
        Assert.Equal("psbt", error.Field);
        Assert.Empty((await database.LoadAsync(s.ContractId)).Spend(spend.Id).Round.SignedBy);

        await s.Escrows.SignSpendAsync(s.ClientToken, spend.Id, s.Client.Sign(spend.Round.IssuedPsbt), CancellationToken.None);
        var broadcast = await s.Escrows.SignSpendAsync(s.FreelancerToken, spend.Id, s.Freelancer.Sign(spend.Round.IssuedPsbt), CancellationToken.None);
        Assert.Equal(EscrowSpendStatus.Broadcast, broadcast.Status);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);

        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(EscrowSpendStatus.Confirmed, contract.Spend(spend.Id).Status);
        Assert.All(contract.Payouts, p => Assert.Equal(PayoutStatus.Completed, p.Status));
        Assert.Equal(MilestoneState.Released, contract.Milestones[0].State);
        var paid = s.Chain.UnspentOutputs(BitcoinAddress.Create(s.Freelancer.Payout, Net).ScriptPubKey);
        Assert.Equal(contract.Milestones[0].ReleasedToFreelancer.Amount, Assert.Single(paid).Output.Value.ToDecimal(MoneyUnit.BTC) + NetworkFeeShare(contract, spend));
        // The pre-signed refund can no longer spend the escrow: its output is gone.
        Assert.False(s.Chain.Submit(signedRefund).IsValid);
        var types = (await database.NewStore().ReadAsync(s.ContractId, CancellationToken.None)).Select(e => e.Type).ToList();
        foreach (var type in new[] { "contract.custody-chosen", "escrow.key-given", "escrow.address-derived", "escrow.refund-prepared", "escrow.refund-signed",
                     "invoice.settled", "escrow.spend-opened", "escrow.spend-signature", "escrow.spend-broadcast", "escrow.spend-confirmed", "payout.completed" })
            Assert.Contains(type, types);
    }

    /// <summary>The freelancer's output is the release minus its share of the network fee.</summary>
    private static decimal NetworkFeeShare(Contract contract, EscrowSpendRecord spend)
    {
        var tx = PSBT.Parse(spend.Round.IssuedPsbt, Net).GetGlobalTransaction();
        var input = contract.NonCustodial.Milestones[0].AmountSats;
        return (input - tx.Outputs.Sum(o => o.Value.Satoshi)) / 100_000_000m;
    }

    [Fact]
    public async Task A_bad_key_or_payout_address_is_refused_naming_its_field_and_nothing_is_stored()
    {
        var s = await ProposedAsync();
        var xprv = s.Client.Account.GetWif(Net).ToString();

        var privateKey = await Assert.ThrowsAsync<InvalidInputException>(() => s.Escrows.SubmitKeyAsync(s.ClientToken, xprv, s.Client.Payout, CancellationToken.None));
        var garbage = await Assert.ThrowsAsync<InvalidInputException>(() => s.Escrows.SubmitKeyAsync(s.ClientToken, "xpub-not-a-key", s.Client.Payout, CancellationToken.None));
        var address = await Assert.ThrowsAsync<InvalidInputException>(() => s.Escrows.SubmitKeyAsync(s.ClientToken, s.Client.Exported, "bc1qnotanaddress", CancellationToken.None));
        var agencyWallet = await Assert.ThrowsAsync<InvalidInputException>(() => s.Escrows.SubmitKeyAsync(s.FreelancerToken, s.Agency.Exported, s.Freelancer.Payout, CancellationToken.None));

        Assert.Equal(["clientKey", "clientKey", "payoutAddress", "freelancerKey"], new[] { privateKey.Field, garbage.Field, address.Field, agencyWallet.Field });
        Assert.DoesNotContain(xprv, privateKey.Message);
        Assert.Empty((await database.LoadAsync(s.ContractId)).NonCustodial.Keys);
        await Assert.ThrowsAsync<ContractNotFoundException>(() => s.Escrows.SubmitKeyAsync("not-a-token", s.Client.Exported, s.Client.Payout, CancellationToken.None));
    }

    [Fact]
    public async Task Funding_is_not_watched_until_the_refund_is_signed_and_a_refund_signature_of_another_transaction_is_refused()
    {
        var s = await ActiveAsync();
        var record = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0];
        var (funding, _) = PrepareFunding(s, record.Address, record.AmountSats);
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None);
        var refund = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].Refund!;

        var (other, _) = PrepareFunding(s, record.Address, record.AmountSats);
        var wrong = await Assert.ThrowsAsync<InvalidInputException>(() =>
            s.Escrows.SignRefundAsync(s.FreelancerToken, s.MilestoneId, s.Freelancer.Sign(other.ToBase64()), CancellationToken.None));
        var short_ = PrepareFunding(s, record.Address, record.AmountSats - 1).Psbt;
        var underpaid = await Assert.ThrowsAsync<InvalidInputException>(() =>
            s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, short_.ToBase64(), CancellationToken.None));
        var byFreelancer = await Assert.ThrowsAsync<EscrowException>(() =>
            s.Escrows.ProposeFundingAsync(s.FreelancerToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None));

        Assert.Equal("psbt", wrong.Field);
        Assert.Equal("funding", underpaid.Field);
        Assert.Equal("party.wrong-role", byFreelancer.Code);
        var stored = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0];
        Assert.Equal(refund.IssuedPsbt, stored.Refund!.Psbt);
        Assert.False(stored.RefundReady);
        Assert.Empty((await database.LoadAsync(s.ContractId)).Invoices);
    }

    [Fact]
    public async Task The_refund_signed_before_funding_pays_the_network_fee_rate_staff_chose_else_the_nodes_estimate()
    {
        var s = await ActiveAsync();
        var record = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0];
        var (funding, _) = PrepareFunding(s, record.Address, record.AmountSats);
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None);
        var estimated = PSBT.Parse((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].Refund!.IssuedPsbt, Net);

        // Staff choose 25 sat/vB; the client's wallet proposes the funding again.
        var settings = new EfStoreSettingsStore(database.NewContext, s.Clock);
        var current = await settings.GetAsync(s.StoreId, CancellationToken.None);
        await settings.SaveAsync(s.StoreId, current with { NetworkFeeRate = 25m }, CancellationToken.None);
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None);
        var chosen = PSBT.Parse((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].Refund!.IssuedPsbt, Net);

        // One 2-of-3 P2WSH input and one output: about 140 vB once signed.
        var vsize = EscrowTxSize.VirtualSize(1, chosen.GetGlobalTransaction().Outputs.Select(o => o.ScriptPubKey));
        Assert.InRange(chosen.GetFee().Satoshi, 25L * vsize, 25L * vsize + 25);
        Assert.InRange(estimated.GetFee().Satoshi, 2L * vsize, 2L * vsize + 2);
    }

    /// <summary>The client prepares the funding; freelancer and agency sign its refund: the address takes the funding.</summary>
    private async Task<(PSBT Funding, Key Hot, MilestoneEscrowRecord Record)> RefundSignedAsync(Setup s)
    {
        var record = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0];
        var (funding, hot) = PrepareFunding(s, record.Address, record.AmountSats);
        await SignRefundForAsync(s, funding);
        return (funding, hot, (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0]);
    }

    private async Task SignRefundForAsync(Setup s, PSBT funding)
    {
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, funding.ToBase64(), CancellationToken.None);
        var refund = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].Refund!;
        await s.Escrows.SignRefundAsync(s.FreelancerToken, s.MilestoneId, s.Freelancer.Sign(refund.IssuedPsbt), CancellationToken.None);
        await s.Escrows.SignRefundAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, s.Agency.Sign(refund.IssuedPsbt), CancellationToken.None);
    }

    /// <summary>Funded on chain, delivered and approved: the release spend waits for the client's and the freelancer's signatures.</summary>
    private async Task<(MilestoneEscrowRecord Record, EscrowSpendRecord Release)> ReleaseDecidedAsync(Setup s)
    {
        var (funding, hot, record) = await RefundSignedAsync(s);
        Assert.True(s.Chain.Submit(Signed(funding, hot)).IsValid);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        await s.Parties.SubmitDeliverableAsync(s.FreelancerToken, s.MilestoneId, "Done", [], [], CancellationToken.None);
        await s.Parties.ApproveAsync(s.ClientToken, s.MilestoneId, CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        return (record, Assert.Single((await database.LoadAsync(s.ContractId)).NonCustodial.Spends));
    }

    private async Task<(ContractState, EscrowSpendStatus?)> ListedAsync(Setup s)
    {
        var page = await new EfContractQueries(database.NewContext).ListContractsAsync(new ContractListQuery(s.StoreId), CancellationToken.None);
        var row = page.Rows.Single(r => r.Id == s.ContractId);
        return (row.State, row.UnconfirmedPayout);
    }

    private static Transaction Signed(PSBT funding, Key hot)
    {
        var copy = funding.Clone();
        copy.SignWithKeys(hot).Finalize();
        return copy.ExtractTransaction();
    }

    private async Task<IReadOnlyList<string>> AuditTypesAsync(Setup s) =>
        (await database.NewStore().ReadAsync(s.ContractId, CancellationToken.None)).Select(e => e.Type).ToList();

    [Fact]
    public async Task A_payment_from_another_transaction_than_the_prepared_funding_is_not_funding_and_the_agency_returns_it_with_the_clients_signature()
    {
        var s = await ActiveAsync();
        var (funding, hot, record) = await RefundSignedAsync(s);

        // The client pays the address from elsewhere: the pre-signed refund cannot spend that coin.
        var stray = s.Chain.Fund(BitcoinAddress.Create(record.Address, Net), NBitcoin.Money.Satoshis(record.AmountSats));
        await s.Watcher.RunAsync(CancellationToken.None);
        var contract = await database.LoadAsync(s.ContractId);
        var coin = Assert.Single(contract.NonCustodial.Milestones[0].UnexpectedCoins);
        Assert.Equal(new OutPoint(stray, 0).ToString(), coin.OutPoint);
        Assert.Equal(record.AmountSats, coin.Sats);
        Assert.Empty(contract.Payments);
        Assert.Contains("escrow.unexpected-coin", await AuditTypesAsync(s));
        var unconfirmed = await Assert.ThrowsAsync<InvalidTransitionException>(() =>
            s.Escrows.ReturnUnexpectedAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None));
        Assert.Equal("escrow.return-unconfirmed", unconfirmed.Code);

        // Confirmed, it still is not funding; running the watcher again records nothing more.
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(MilestoneState.Pending, contract.Milestones[0].State);
        Assert.Single(contract.NonCustodial.Milestones[0].UnexpectedCoins);
        Assert.Equal(1, (await AuditTypesAsync(s)).Count(t => t == "escrow.unexpected-coin"));
        // Another store's staff cannot return it.
        await Assert.ThrowsAsync<ContractNotFoundException>(() =>
            s.Escrows.ReturnUnexpectedAsync("another-store", s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None));

        // The agency returns it: that coin alone, to the client's payout address, client and agency sign.
        var back = await s.Escrows.ReturnUnexpectedAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None);
        Assert.Equal(SpendKind.ClientRefund, back.Round.Kind);
        Assert.Equal("the client and the agency", back.Round.StillNeeded());
        var returnTx = PSBT.Parse(back.Round.IssuedPsbt, Net).GetGlobalTransaction();
        Assert.Equal(new OutPoint(stray, 0), Assert.Single(returnTx.Inputs).PrevOut);
        Assert.Equal(s.Client.Payout, Assert.Single(returnTx.Outputs).ScriptPubKey.GetDestinationAddress(Net)!.ToString());
        var again = await Assert.ThrowsAsync<InvalidTransitionException>(() =>
            s.Escrows.ReturnUnexpectedAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None));
        Assert.Equal("escrow.return-coins", again.Code);
        await s.Escrows.SignSpendAsync(s.ClientToken, back.Id, s.Client.Sign(back.Round.IssuedPsbt), CancellationToken.None);
        var sent = await s.Escrows.SignSpendAsync(s.StoreId, s.ContractId, back.Id, Build.Agency, s.Agency.Sign(back.Round.IssuedPsbt), CancellationToken.None);
        Assert.Equal(EscrowSpendStatus.Broadcast, sent.Status);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(EscrowSpendStatus.Confirmed, contract.Spend(back.Id).Status);
        Assert.True(Assert.Single(contract.NonCustodial.Milestones[0].UnexpectedCoins).Returned);
        Assert.Equal(returnTx.Outputs[0].Value, Assert.Single(s.Chain.UnspentOutputs(BitcoinAddress.Create(s.Client.Payout, Net).ScriptPubKey)).Output.Value);
        Assert.Contains("escrow.unexpected-returned", await AuditTypesAsync(s));
        Assert.Empty(contract.Payouts);

        // The prepared funding still funds the milestone, and the release spends only it.
        Assert.True(s.Chain.Submit(Signed(funding, hot)).IsValid);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(MilestoneState.Funded, contract.Milestones[0].State);
        Assert.Equal(0.01m, contract.Milestones[0].Funded.Amount);
    }

    [Fact]
    public async Task A_second_payment_after_the_funding_is_not_spent_by_the_release_and_is_returned_on_its_own()
    {
        var s = await ActiveAsync();
        var (funding, hot, record) = await RefundSignedAsync(s);
        Assert.True(s.Chain.Submit(Signed(funding, hot)).IsValid);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        var extra = s.Chain.Fund(BitcoinAddress.Create(record.Address, Net), NBitcoin.Money.Satoshis(50_000));
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);

        await s.Parties.SubmitDeliverableAsync(s.FreelancerToken, s.MilestoneId, "Done", [], [], CancellationToken.None);
        await s.Parties.ApproveAsync(s.ClientToken, s.MilestoneId, CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        var contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(0.01m, contract.Milestones[0].Funded.Amount);
        var release = Assert.Single(contract.NonCustodial.Spends);
        var releaseTx = PSBT.Parse(release.Round.IssuedPsbt, Net).GetGlobalTransaction();
        Assert.Equal(new OutPoint(funding.GetGlobalTransaction(), 0), Assert.Single(releaseTx.Inputs).PrevOut);
        Assert.Equal(new OutPoint(extra, 0).ToString(), Assert.Single(contract.NonCustodial.Milestones[0].UnexpectedCoins).OutPoint);
        var back = await s.Escrows.ReturnUnexpectedAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None);
        Assert.Equal(new OutPoint(extra, 0), Assert.Single(PSBT.Parse(back.Round.IssuedPsbt, Net).GetGlobalTransaction().Inputs).PrevOut);
    }

    [Fact]
    public async Task A_payment_to_the_escrow_address_after_the_milestone_was_released_is_seen_and_returned_to_the_client()
    {
        var s = await ActiveAsync();
        var (record, release) = await ReleaseDecidedAsync(s);
        // The staff list says where the closed contract's money stands until the release confirms.
        Assert.Equal((ContractState.Completed, EscrowSpendStatus.Collecting), await ListedAsync(s));
        await s.Escrows.SignSpendAsync(s.ClientToken, release.Id, s.Client.Sign(release.Round.IssuedPsbt), CancellationToken.None);
        await s.Escrows.SignSpendAsync(s.FreelancerToken, release.Id, s.Freelancer.Sign(release.Round.IssuedPsbt), CancellationToken.None);
        Assert.Equal((ContractState.Completed, EscrowSpendStatus.Broadcast), await ListedAsync(s));
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        Assert.Equal((ContractState.Completed, (EscrowSpendStatus?)null), await ListedAsync(s));
        var closed = await database.LoadAsync(s.ContractId);
        Assert.Equal((MilestoneState.Released, ContractState.Completed), (closed.Milestones[0].State, closed.State));

        // The client pays the old address again (a wallet's saved payment, a second copy of the request): the coin is
        // recorded for the agency to return, not left unseen in a 2-of-3 address nobody watches.
        var late = s.Chain.Fund(BitcoinAddress.Create(record.Address, Net), NBitcoin.Money.Satoshis(40_000));
        await s.Watcher.RunAsync(CancellationToken.None);
        var seen = Assert.Single((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].UnexpectedCoins);
        Assert.Equal((new OutPoint(late, 0).ToString(), 40_000L), (seen.OutPoint, seen.Sats));
        Assert.Equal(0.01m, (await database.LoadAsync(s.ContractId)).Milestones[0].Funded.Amount);

        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        var back = await s.Escrows.ReturnUnexpectedAsync(s.StoreId, s.ContractId, s.MilestoneId, Build.Agency, CancellationToken.None);
        await s.Escrows.SignSpendAsync(s.ClientToken, back.Id, s.Client.Sign(back.Round.IssuedPsbt), CancellationToken.None);
        var sent = await s.Escrows.SignSpendAsync(s.StoreId, s.ContractId, back.Id, Build.Agency, s.Agency.Sign(back.Round.IssuedPsbt), CancellationToken.None);
        Assert.Equal(EscrowSpendStatus.Broadcast, sent.Status);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        var done = await database.LoadAsync(s.ContractId);
        Assert.True(Assert.Single(done.NonCustodial.Milestones[0].UnexpectedCoins).Returned);
        Assert.Equal(ContractState.Completed, done.State);
        Assert.Single(s.Chain.UnspentOutputs(BitcoinAddress.Create(s.Client.Payout, Net).ScriptPubKey));
    }

    [Fact]
    public async Task A_release_the_node_already_has_when_the_last_signature_arrives_counts_as_sent_not_refused()
    {
        var s = await ActiveAsync();
        var (_, spend) = await ReleaseDecidedAsync(s);
        var clientSigned = s.Client.Sign(spend.Round.IssuedPsbt);
        var freelancerSigned = s.Freelancer.Sign(spend.Round.IssuedPsbt);
        await s.Escrows.SignSpendAsync(s.ClientToken, spend.Id, clientSigned, CancellationToken.None);

        // The same fully signed transaction reached the node first (the worker's round sending it while the last upload
        // was being stored): the node refuses the second copy as already known, which is the spend being sent.
        var complete = spend.Round.Accept(clientSigned).Unwrap().Round.Accept(freelancerSigned).Unwrap().Round.Finalise().Unwrap().Transaction;
        Assert.True(s.Chain.Submit(complete).IsValid);
        Assert.False(s.Chain.Submit(complete).IsValid);
        var sent = await s.Escrows.SignSpendAsync(s.FreelancerToken, spend.Id, freelancerSigned, CancellationToken.None);

        Assert.Equal((EscrowSpendStatus.Broadcast, complete.GetHash().ToString(), null), (sent.Status, sent.TxId, sent.LastError));
        var types = (await database.NewStore().ReadAsync(s.ContractId, CancellationToken.None)).Select(e => e.Type).ToList();
        Assert.Contains("escrow.spend-broadcast", types);
        Assert.DoesNotContain("escrow.spend-refused", types);
    }

    [Fact]
    public async Task A_seen_funding_that_vanishes_from_the_mempool_no_longer_stands_and_counts_once_when_it_comes_back_and_confirms()
    {
        var s = await ActiveAsync();
        var (funding, hot, record) = await RefundSignedAsync(s);
        var signed = Signed(funding, hot);
        Assert.True(s.Chain.Submit(signed).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        Assert.Equal(Core.Funding.PaymentStatus.Received, Assert.Single((await database.LoadAsync(s.ContractId)).Payments).Status);

        Assert.True(s.Chain.Drop(signed.GetHash()).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        var contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(Core.Funding.PaymentStatus.Invalidated, Assert.Single(contract.Payments).Status);
        Assert.Equal(MilestoneState.Pending, contract.Milestones[0].State);
        Assert.Contains("payment.vanished", await AuditTypesAsync(s));

        // An unexpected coin seen and gone is forgotten too.
        var stray = s.Chain.Fund(BitcoinAddress.Create(record.Address, Net), NBitcoin.Money.Satoshis(70_000));
        await s.Watcher.RunAsync(CancellationToken.None);
        Assert.Single((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].UnexpectedCoins);
        Assert.True(s.Chain.Drop(stray.GetHash()).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        Assert.Empty((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].UnexpectedCoins);
        Assert.Contains("escrow.coin-vanished", await AuditTypesAsync(s));

        // The wallet sends the same funding again; confirmed, it counts once.
        Assert.True(s.Chain.Submit(signed).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        s.Chain.Mine();
        await s.Watcher.RunAsync(CancellationToken.None);
        await s.Watcher.RunAsync(CancellationToken.None);
        contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(MilestoneState.Funded, contract.Milestones[0].State);
        Assert.Equal(0.01m, contract.Milestones[0].Funded.Amount);
        Assert.Equal(0m, contract.Credit.Amount);
    }

    [Fact]
    public async Task The_funding_can_be_prepared_again_until_it_is_seen_and_then_no_more()
    {
        var s = await ActiveAsync();
        var (first, firstHot, record) = await RefundSignedAsync(s);
        var (second, secondHot) = PrepareFunding(s, record.Address, record.AmountSats);

        // The wallet rebuilt the funding (a new transaction id): the refund is signed again for it.
        await s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, second.ToBase64(), CancellationToken.None);
        var replaced = (await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0];
        Assert.False(replaced.RefundReady);
        Assert.Equal(new OutPoint(second.GetGlobalTransaction(), 0).ToString(), replaced.FundingOutPoint);
        Assert.Contains("escrow.funding-replaced", await AuditTypesAsync(s));
        await SignRefundForAsync(s, second);
        Assert.True((await database.LoadAsync(s.ContractId)).NonCustodial.Milestones[0].RefundReady);

        // The first one sent anyway is not the funding any more.
        Assert.True(s.Chain.Submit(Signed(first, firstHot)).IsValid);
        Assert.True(s.Chain.Submit(Signed(second, secondHot)).IsValid);
        await s.Watcher.RunAsync(CancellationToken.None);
        var contract = await database.LoadAsync(s.ContractId);
        Assert.Equal(new OutPoint(first.GetGlobalTransaction(), 0).ToString(), Assert.Single(contract.NonCustodial.Milestones[0].UnexpectedCoins).OutPoint);
        Assert.Equal(new OutPoint(second.GetGlobalTransaction(), 0).ToString(), Assert.Single(contract.Payments).PaymentId);

        // Seen on chain, the funding is fixed.
        var refused = await Assert.ThrowsAsync<InvalidTransitionException>(() =>
            s.Escrows.ProposeFundingAsync(s.ClientToken, s.MilestoneId, first.ToBase64(), CancellationToken.None));
        Assert.Equal("escrow.refund-signed", refused.Code);
    }

    /// <summary>
    /// Unlucky chains: the prepared funding and stray payments sent, dropped from the mempool, sent again and mined in
    /// random order, the watcher running in between. After every pass the milestone holds exactly its amount when the
    /// prepared funding is confirmed and nothing otherwise, the ledger knows no other payment, and the unexpected coins
    /// are exactly the strays still on the chain.
    /// </summary>
    [Fact]
    public async Task Random_sends_drops_and_blocks_never_count_anything_but_the_prepared_funding_once()
    {
        for (var seed = 1; seed <= 12; seed++)
        {
            var random = new Random(seed);
            var s = await ActiveAsync();
            var (funding, hot, record) = await RefundSignedAsync(s);
            var prepared = Signed(funding, hot);
            var address = BitcoinAddress.Create(record.Address, Net);
            var strays = new List<Transaction>();
            var steps = new List<string>();
            for (var step = 0; step < 14; step++)
            {
                var unconfirmed = strays.Append(prepared).Where(t => s.Chain.Confirmations(t.GetHash()) == 0).ToList();
                switch (random.Next(5))
                {
                    case 0 when s.Chain.Confirmations(prepared.GetHash()) is null:
                        Assert.True(s.Chain.Submit(prepared).IsValid);
                        steps.Add("send funding");
                        break;
                    case 1:
                        strays.Add(s.Chain.Fund(address, NBitcoin.Money.Satoshis(random.Next(1, 3) == 1 ? record.AmountSats : random.Next(1_000, 2_000_000))));
                        steps.Add("send stray");
                        break;
                    case 2 when unconfirmed.Count > 0:
                        var victim = unconfirmed[random.Next(unconfirmed.Count)];
                        Assert.True(s.Chain.Drop(victim.GetHash()).IsValid);
                        steps.Add(victim == prepared ? "drop funding" : "drop stray");
                        break;
                    case 3:
                        s.Chain.Mine();
                        steps.Add("mine");
                        break;
                    default:
                        await s.Watcher.RunAsync(CancellationToken.None);
                        steps.Add("watch");
                        await AssertOnlyTheFundingCountsAsync(s, prepared, strays, seed, steps);
                        break;
                }
            }
            await s.Watcher.RunAsync(CancellationToken.None);
            steps.Add("watch");
            await AssertOnlyTheFundingCountsAsync(s, prepared, strays, seed, steps);
        }
    }

    private async Task AssertOnlyTheFundingCountsAsync(Setup s, Transaction prepared, IReadOnlyList<Transaction> strays, int seed, IReadOnlyList<string> steps)
    {
        var why = $"seed {seed}: {string.Join(", ", steps)}";
        var contract = await database.LoadAsync(s.ContractId);
        var milestone = contract.Milestones[0];
        var fundingConfirmed = s.Chain.Confirmations(prepared.GetHash()) >= 1;
        Assert.True((fundingConfirmed ? 0.01m : 0m) == milestone.Funded.Amount, $"funded {milestone.Funded} ({why})");
        Assert.True(fundingConfirmed == (milestone.State == MilestoneState.Funded), $"state {milestone.State} ({why})");
        Assert.True(contract.Payments.All(p => p.PaymentId == new OutPoint(prepared, 0).ToString()), why);
        Assert.True(contract.Credit.Amount == 0m, why);
        var onChain = strays.Where(t => s.Chain.Confirmations(t.GetHash()) is not null).Select(t => new OutPoint(t, 0).ToString()).Order().ToList();
        var recorded = contract.NonCustodial.Milestones[0].UnexpectedCoins.Select(u => u.OutPoint).Order().ToList();
        Assert.True(onChain.SequenceEqual(recorded), $"unexpected [{string.Join(",", recorded)}] vs on chain [{string.Join(",", onChain)}] ({why})");
    }
}
