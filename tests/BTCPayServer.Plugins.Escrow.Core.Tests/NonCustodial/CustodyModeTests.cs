using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Tests.Domain;
using NBitcoin;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.NonCustodial;

public sealed class CustodyModeTests
{
    private static readonly Network Net = EscrowFixture.Net;
    private static string Address() => EscrowFixture.NewAddress(ScriptPubKeyType.Segwit).ToString();
    private static PartyKey Key(TestWallet wallet, EscrowRole role) => PartyKeyParser.Parse(wallet.ExportedKey, role, Net).Unwrap();

    private static Contract ProposedNonCustodial()
    {
        var contract = new ContractBuilder().WithMilestone(0.01m).WithMilestone(0.02m).Draft();
        contract.ChooseCustody(CustodyMode.NonCustodial, Staff, Start);
        contract.Propose(Staff, Start);
        return contract;
    }

    [Fact]
    public void A_draft_is_custodial_unless_the_agency_chooses_otherwise_and_the_choice_is_audited()
    {
        var contract = new ContractBuilder().WithMilestone(0.01m).Draft();
        Assert.Equal(CustodyMode.Custodial, contract.Custody);

        contract.ChooseCustody(CustodyMode.NonCustodial, Staff, Start);

        Assert.Equal(CustodyMode.NonCustodial, contract.Custody);
        Assert.Equal("contract.custody-chosen", contract.UnsavedAuditEntries[^1].Type);
    }

    [Fact]
    public void Non_custodial_is_refused_for_a_fiat_contract_and_a_non_custodial_draft_cannot_change_to_fiat()
    {
        var fiat = new ContractBuilder().In("USD").WithMilestone(100m).Draft();
        var error = Assert.Throws<InvalidInputException>(() => fiat.ChooseCustody(CustodyMode.NonCustodial, Staff, Start));
        Assert.Equal("custody", error.Field);
        Assert.Equal(CustodyMode.Custodial, fiat.Custody);

        var btc = new ContractBuilder().WithMilestone(0.01m).Draft();
        btc.ChooseCustody(CustodyMode.NonCustodial, Staff, Start);
        Assert.Throws<InvalidInputException>(() => btc.ChangeTerms(new ContractBuilder().In("USD").WithMilestone(100m).Terms(), Staff, Start));
        Assert.Equal("BTC", btc.Currency);
    }

    [Fact]
    public void The_mode_is_fixed_once_the_contract_is_sent()
    {
        var contract = ProposedNonCustodial();
        Assert.Throws<InvalidTransitionException>(() => contract.ChooseCustody(CustodyMode.Custodial, Staff, Start));
        Assert.Equal(CustodyMode.NonCustodial, contract.Custody);
    }

    [Fact]
    public void The_terms_the_parties_accept_say_who_holds_the_money_and_a_custodial_text_is_unchanged()
    {
        var custodial = new ContractBuilder().WithMilestone(0.01m).WithMilestone(0.02m).Draft();
        var terms = custodial.CurrentTerms();
        custodial.Propose(Staff, Start);
        var nonCustodial = ProposedNonCustodial();

        // The same terms in the two modes: two texts, two hashes; accepting one is not accepting the other.
        Assert.Contains("\"custody\":\"NonCustodial\"", nonCustodial.LatestTermsVersion!.Canonical);
        Assert.NotEqual(custodial.LatestTermsVersion!.Hash, nonCustodial.LatestTermsVersion.Hash);
        Assert.ThrowsAny<EscrowException>(() => custodial.AcceptTerms(PartyRole.Client, nonCustodial.LatestTermsVersion.Hash, Start));
        Assert.False(custodial.LatestTermsVersion.IsAcceptedBy(PartyRole.Client));
        // A custodial contract's text is the one every hash signed before the mode existed was computed from.
        Assert.DoesNotContain("custody", custodial.LatestTermsVersion.Canonical);
        Assert.Equal(Terms.TermsCanonicalForm.Serialize(terms), custodial.LatestTermsVersion.Canonical);
    }

    [Fact]
    public void A_party_must_give_a_key_before_accepting_and_cannot_change_it_after()
    {
        var fixture = new EscrowFixture();
        var contract = ProposedNonCustodial();
        var hash = contract.LatestTermsVersion!.Hash;

        Assert.Throws<InvalidTransitionException>(() => contract.AcceptTerms(PartyRole.Client, hash, Start));
        contract.RecordEscrowKey(PartyRole.Client, Key(fixture.Client, EscrowRole.Client), Address(), Start);
        contract.AcceptTerms(PartyRole.Client, hash, Start);
        var kept = contract.NonCustodial.KeyOf(EscrowRole.Client);

        var error = Assert.Throws<InvalidTransitionException>(() =>
            contract.RecordEscrowKey(PartyRole.Client, Key(new TestWallet(Net, 99), EscrowRole.Client), Address(), Start));
        Assert.Contains("accepted", error.Message);
        Assert.Equal(kept, contract.NonCustodial.KeyOf(EscrowRole.Client));
        Assert.Equal(fixture.Client.ExportedKey, kept!.Key);
    }

    [Fact]
    public void An_amendment_cannot_change_what_the_client_pays_for_a_milestone_that_has_its_escrow_address()
    {
        var fixture = new EscrowFixture();
        var builder = new ContractBuilder().WithMilestone(0.01m).WithMilestone(0.02m);
        var contract = builder.Draft();
        contract.ChooseCustody(CustodyMode.NonCustodial, Staff, Start);
        contract.Propose(Staff, Start);
        contract.RecordEscrowKey(PartyRole.Client, Key(fixture.Client, EscrowRole.Client), Address(), Start);
        contract.RecordEscrowKey(PartyRole.Freelancer, Key(fixture.Freelancer, EscrowRole.Freelancer), Address(), Start);
        contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start);
        contract.AcceptTerms(PartyRole.Freelancer, contract.LatestTermsVersion!.Hash, Start);
        var agency = Key(fixture.Agency, EscrowRole.Agency);
        var escrow = new MilestoneEscrow(fixture.Keys, 0);
        contract.RecordMilestoneEscrow(new StoredEscrowKey(EscrowRole.Agency, agency.Text, agency.Fingerprint.ToString(), Address(), Start),
            new MilestoneEscrowRecord(contract.Milestones[0].Id, 0, escrow.Address.ToString(), escrow.Descriptor, escrow.WalletDescriptor, 1_000_000), Start);
        var versions = contract.TermsVersions.Count;

        var error = Assert.Throws<InvalidInputException>(() => contract.ChangeTerms(builder.ChangeMilestone(1, amount: 0.015m).Terms(), Staff, Start));

        Assert.Equal("milestones", error.Field);
        Assert.Contains("escrow address", error.Message);
        Assert.Equal(versions, contract.TermsVersions.Count);
        Assert.Equal(0.01m, contract.Milestones[0].Amount.Amount);
        // A milestone without its escrow yet may still change.
        Assert.NotNull(contract.ChangeTerms(builder.ChangeMilestone(1, amount: 0.01m).ChangeMilestone(2, amount: 0.03m).Terms(), Staff, Start));
    }

    [Fact]
    public void A_key_of_the_same_wallet_as_the_other_partys_is_refused_and_nothing_is_stored()
    {
        var fixture = new EscrowFixture();
        var contract = ProposedNonCustodial();
        contract.RecordEscrowKey(PartyRole.Client, Key(fixture.Client, EscrowRole.Client), Address(), Start);

        var error = Assert.Throws<InvalidInputException>(() =>
            contract.RecordEscrowKey(PartyRole.Freelancer, Key(fixture.Client, EscrowRole.Freelancer), Address(), Start));

        Assert.Equal("freelancerKey", error.Field);
        Assert.Null(contract.NonCustodial.KeyOf(EscrowRole.Freelancer));
    }

    [Fact]
    public void A_custodial_contract_takes_no_keys()
    {
        var fixture = new EscrowFixture();
        var contract = new ContractBuilder().WithMilestone(0.01m).Proposed();
        Assert.Throws<InvalidTransitionException>(() => contract.RecordEscrowKey(PartyRole.Client, Key(fixture.Client, EscrowRole.Client), Address(), Start));
        contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start);
    }

    [Fact]
    public void The_state_round_trips_through_its_stored_json()
    {
        var fixture = new EscrowFixture();
        var contract = ProposedNonCustodial();
        contract.RecordEscrowKey(PartyRole.Client, Key(fixture.Client, EscrowRole.Client), Address(), Start);
        var refund = EscrowSpends.PresignedRefund(fixture.Escrow, [new EscrowCoin(new OutPoint(uint256.One, 0), NBitcoin.Money.Satoshis(1_000_000))],
            fixture.Payees.Client, 800, 2m).Unwrap();
        var state = contract.NonCustodial.WithEscrow(new MilestoneEscrowRecord(MilestoneId(1), 7, fixture.Escrow.Address.ToString(),
            fixture.Escrow.Descriptor, fixture.Escrow.WalletDescriptor, 1_000_000, Refund: refund));

        var back = NonCustodialState.FromJson(state.ToJson());

        Assert.Equal(state.ToJson(), back.ToJson());
        Assert.Equal(refund.IssuedPsbt, back.Milestones[0].Refund!.IssuedPsbt);
        Assert.Equal(NonCustodialState.Empty.ToJson(), NonCustodialState.FromJson("{}").ToJson());
        Assert.Equal(NonCustodialState.Empty.ToJson(), NonCustodialState.FromJson("").ToJson());
    }
}
