using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class TermsTests
{
    private static ContractBuilder Base() => new ContractBuilder()
        .In("USD", FxPolicy.FiatProtected)
        .WithFee(2.5m, 1m)
        .WithMilestone(500m, Today.AddDays(10), TimeSpan.FromDays(5), "Design", "Mock-ups")
        .WithMilestone(1500m, Today.AddDays(30), null, "Build", "Site");

    private static readonly Dictionary<string, Func<ContractBuilder, ContractBuilder>> Changes = new()
    {
        ["title"] = b => b.Titled("Website redesign v2"),
        ["scope"] = b => b.WithScope("Design only."),
        ["client name"] = b => b.WithClient("Alice Other", "alice@example.com"),
        ["client email"] = b => b.WithClient("Alice Client", "alice@example.org"),
        ["freelancer name"] = b => b.WithFreelancer("Bobby Freelancer", "bob@example.com"),
        ["currency"] = b => b.In("EUR", FxPolicy.FiatProtected),
        ["fee percent"] = b => b.WithFee(2.6m, 1m),
        ["fixed fee"] = b => b.WithFee(2.5m, 1.01m),
        ["fee payer"] = b => b.WithFee(2.5m, 1m, FeePayer.Client),
        ["fx policy"] = b => b.In("USD", FxPolicy.BtcLocked),
        ["overpayment"] = b => b.RefundingOverpayments(),
        ["review window"] = b => b.WithReviewWindow(TimeSpan.FromDays(13)),
        ["dispute window"] = b => b.WithDisputeWindow(TimeSpan.FromDays(8)),
        ["milestone title"] = b => b.ChangeMilestone(1, title: "Designs"),
        ["milestone deliverable"] = b => b.ChangeMilestone(1, deliverable: "Mock-ups and a style guide"),
        ["milestone amount"] = b => b.ChangeMilestone(2, amount: 1500.01m),
        ["milestone due date"] = b => b.ChangeMilestone(2, dueDate: Today.AddDays(31)),
        ["milestone review window"] = b => b.ChangeMilestone(1, reviewWindow: TimeSpan.FromDays(6)),
        ["milestone order"] = b => b.SwapMilestones(1, 2),
        ["milestone added"] = b => b.WithMilestone(100m),
        ["milestone removed"] = b => b.WithoutMilestone(2),
    };

    [Fact]
    public void The_canonical_form_of_equal_terms_is_the_same_text_and_hash()
    {
        var a = TermsCanonicalForm.Serialize(Base().Terms());
        var b = TermsCanonicalForm.Serialize(Base().Terms());

        Assert.Equal(a, b);
        Assert.Equal(TermsCanonicalForm.Hash(a), TermsCanonicalForm.Hash(b));
        Assert.Matches("^[0-9a-f]{64}$", TermsCanonicalForm.Hash(a));
    }

    [Fact]
    public void The_canonical_form_writes_amounts_dates_and_windows_in_fixed_formats()
    {
        var canonical = TermsCanonicalForm.Serialize(Base().Terms());

        Assert.StartsWith("{\"format\":1,\"title\":\"Website redesign\",", canonical);
        Assert.Contains("\"amount\":\"500.00\"", canonical);
        Assert.Contains("\"fixedPerMilestone\":\"1.00\"", canonical);
        Assert.Contains("\"percent\":\"2.50\"", canonical);
        Assert.Contains($"\"dueDate\":\"{Today.AddDays(10):yyyy-MM-dd}\"", canonical);
        Assert.Contains("\"reviewWindowSeconds\":432000", canonical);
        Assert.DoesNotContain(" \"", canonical);
    }

    [Fact]
    public void Parsing_the_canonical_form_gives_back_the_same_terms()
    {
        var canonical = TermsCanonicalForm.Serialize(Base().Terms());

        Assert.Equal(canonical, TermsCanonicalForm.Serialize(TermsCanonicalForm.Parse(canonical)));
    }

    [Theory]
    [InlineData("title")]
    [InlineData("scope")]
    [InlineData("client name")]
    [InlineData("client email")]
    [InlineData("freelancer name")]
    [InlineData("currency")]
    [InlineData("fee percent")]
    [InlineData("fixed fee")]
    [InlineData("fee payer")]
    [InlineData("fx policy")]
    [InlineData("overpayment")]
    [InlineData("review window")]
    [InlineData("dispute window")]
    [InlineData("milestone title")]
    [InlineData("milestone deliverable")]
    [InlineData("milestone amount")]
    [InlineData("milestone due date")]
    [InlineData("milestone review window")]
    [InlineData("milestone order")]
    [InlineData("milestone added")]
    [InlineData("milestone removed")]
    public void Changing_any_term_changes_the_hash(string term)
    {
        var original = TermsCanonicalForm.Hash(TermsCanonicalForm.Serialize(Base().Terms()));

        var changed = TermsCanonicalForm.Hash(TermsCanonicalForm.Serialize(Changes[term](Base()).Terms()));

        Assert.NotEqual(original, changed);
    }

    [Fact]
    public void Accepting_a_hash_that_is_not_the_offered_one_is_refused()
    {
        var contract = Base().Proposed();

        var ex = Assert.Throws<EscrowException>(() => contract.AcceptTerms(PartyRole.Client, new string('a', 64), Start));

        Assert.Equal("terms.hash-mismatch", ex.Code);
        Assert.Contains("Review version 1", ex.Message);
        Assert.False(contract.LatestTermsVersion!.IsAcceptedBy(PartyRole.Client));
    }

    [Fact]
    public void Accepting_the_hash_of_an_older_version_is_refused()
    {
        var contract = Base().Proposed();
        var v1 = contract.LatestTermsVersion!.Hash;
        contract.ChangeTerms(Changes["title"](Base()).Terms(), Staff, Start);

        var ex = Assert.Throws<EscrowException>(() => contract.AcceptTerms(PartyRole.Client, v1, Start));

        Assert.Contains("Review version 2", ex.Message);
        Assert.Equal(ContractState.Proposed, contract.State);
    }

    [Fact]
    public void The_contract_becomes_active_only_when_both_parties_accepted_the_same_version()
    {
        var contract = Base().Proposed();
        contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start);
        contract.ChangeTerms(Changes["scope"](Base()).Terms(), Staff, Start);
        var v2 = contract.LatestTermsVersion!.Hash;

        contract.AcceptTerms(PartyRole.Freelancer, v2, Start);
        Assert.Equal(ContractState.Proposed, contract.State);
        Assert.Equal(0, contract.EffectiveTermsVersion);

        contract.AcceptTerms(PartyRole.Client, v2, Start);
        Assert.Equal(ContractState.Active, contract.State);
        Assert.Equal(2, contract.EffectiveTermsVersion);
        Assert.Contains("contract.activated", contract.AuditTypes());
    }

    [Fact]
    public void Changing_a_proposed_contract_offers_a_new_version_without_the_old_acceptances()
    {
        var contract = Base().Proposed();
        contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start);

        var v2 = contract.ChangeTerms(Changes["milestone amount"](Base()).Terms(), Staff, Start);

        Assert.NotNull(v2);
        Assert.Equal(2, v2.Number);
        Assert.NotEqual(contract.TermsVersions[0].Hash, v2.Hash);
        Assert.False(v2.IsAcceptedBy(PartyRole.Client));
        Assert.True(contract.TermsVersions[0].IsAcceptedBy(PartyRole.Client));
        Assert.Equal(Money.Of(1500.01m, "USD"), contract.M(2).Amount);
        Assert.Equal(v2.Canonical, TermsCanonicalForm.Serialize(contract.CurrentTerms()));
    }

    [Fact]
    public void Changing_a_draft_replaces_its_terms_without_offering_a_version()
    {
        var contract = Base().Draft();

        var version = contract.ChangeTerms(Changes["milestone removed"](Base()).Terms(), Staff, Start);

        Assert.Null(version);
        Assert.Empty(contract.TermsVersions);
        Assert.Single(contract.Milestones);
    }

    [Fact]
    public void Accepting_the_same_version_twice_records_one_acceptance()
    {
        var contract = Base().Proposed();
        var hash = contract.LatestTermsVersion!.Hash;

        contract.AcceptTerms(PartyRole.Client, hash, Start);
        var count = contract.AuditCount;
        contract.AcceptTerms(PartyRole.Client, hash.ToUpperInvariant(), Start.AddHours(1));

        Assert.Equal(count, contract.AuditCount);
        Assert.Equal(Start, contract.LatestTermsVersion!.ClientAcceptedAt);
    }

    [Fact]
    public void An_amendment_of_an_active_contract_leaves_the_old_terms_in_force_until_both_accept()
    {
        var contract = Base().Active();

        var amendment = contract.ChangeTerms(Changes["milestone amount"](Base()).Terms(), Staff, Start);
        Assert.NotNull(amendment);
        Assert.Equal(Money.Of(1500m, "USD"), contract.M(2).Amount);
        Assert.Equal(1, contract.EffectiveTermsVersion);

        contract.AcceptTerms(PartyRole.Client, amendment.Hash, Start);
        Assert.Equal(Money.Of(1500m, "USD"), contract.M(2).Amount);

        contract.AcceptTerms(PartyRole.Freelancer, amendment.Hash, Start);
        Assert.Equal(Money.Of(1500.01m, "USD"), contract.M(2).Amount);
        Assert.Equal(2, contract.EffectiveTermsVersion);
        Assert.Equal(ContractState.Active, contract.State);
        Assert.Contains("terms.amended", contract.AuditTypes());
    }

    [Fact]
    public void An_amendment_cannot_shrink_a_funded_milestone_below_its_funding()
    {
        var contract = Base().Active().Fund(1);
        var versions = contract.TermsVersions.Count;

        var ex = Assert.Throws<InvalidInputException>(() =>
            contract.ChangeTerms(Base().ChangeMilestone(1, amount: 400m).Terms(), Staff, Start));

        Assert.Contains("already holds 500.00 USD", ex.Message);
        Assert.Equal(versions, contract.TermsVersions.Count);
    }

    [Fact]
    public void An_amendment_cannot_remove_a_funded_milestone()
    {
        var contract = Base().Active().Fund(2);

        var ex = Assert.Throws<InvalidInputException>(() => contract.ChangeTerms(Base().WithoutMilestone(2).Terms(), Staff, Start));

        Assert.Contains("Milestone 2 has money or work in it", ex.Message);
    }

    [Fact]
    public void An_accepted_amendment_that_removes_an_unfunded_milestone_cancels_it()
    {
        var contract = Base().Active().Fund(1);

        contract.ChangeTerms(Base().WithoutMilestone(2).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        Assert.Equal(MilestoneState.Cancelled, contract.Milestones.Single(m => m.Id == MilestoneId(2)).State);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
    }

    [Fact]
    public void A_later_amendment_may_leave_out_a_milestone_an_earlier_amendment_removed()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).WithMilestone(3m).Active();
        contract.ChangeTerms(new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        contract.ChangeTerms(new ContractBuilder().WithMilestone(1m).WithMilestone(2.5m).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        Assert.Equal(Money.Of(2.5m, "BTC"), contract.M(2).Amount);
        Assert.Equal(MilestoneState.Cancelled, contract.Milestones.Single(m => m.Id == MilestoneId(3)).State);
    }

    [Fact]
    public void Raising_the_amount_of_a_funded_milestone_reopens_it_for_the_difference()
    {
        var contract = Base().Active().Fund(1);

        contract.ChangeTerms(Base().ChangeMilestone(1, amount: 600m).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Money.Of(100m, "USD"), contract.M(1).Outstanding);
    }

    [Fact]
    public void An_amendment_that_no_longer_fits_when_accepted_is_refused_and_changes_nothing()
    {
        var contract = Base().Active();
        var amendment = contract.ChangeTerms(Base().WithoutMilestone(2).Terms(), Staff, Start)!;
        contract.AcceptTerms(PartyRole.Client, amendment.Hash, Start);
        contract.Fund(2);
        var audit = contract.AuditCount;

        Assert.Throws<InvalidInputException>(() => contract.AcceptTerms(PartyRole.Freelancer, amendment.Hash, Start));

        Assert.False(amendment.IsAcceptedBy(PartyRole.Freelancer));
        Assert.Equal(audit, contract.AuditCount);
        Assert.Equal(1, contract.EffectiveTermsVersion);
        Assert.Equal(MilestoneState.Funded, contract.M(2).State);
    }

    [Fact]
    public void The_currency_of_an_active_contract_cannot_change()
    {
        var contract = Base().Active();

        var ex = Assert.Throws<InvalidInputException>(() => contract.ChangeTerms(Changes["currency"](Base()).Terms(), Staff, Start));

        Assert.Equal("currency", ex.Field);
    }

    [Fact]
    public void A_due_date_in_the_past_is_refused_when_drafting()
    {
        var terms = new ContractBuilder().WithMilestone(1m, Today.AddDays(-1), title: "Late one").Terms();

        var ex = Assert.Throws<InvalidInputException>(() => Contract.CreateDraft(StoreId, terms, Staff, Start));

        Assert.Equal("milestones[0].dueDate", ex.Field);
        Assert.Contains("'Late one') is due on", ex.Message);
        Assert.Contains("in the past", ex.Message);
    }

    [Fact]
    public void A_due_date_more_than_ten_years_ahead_is_refused_and_nothing_overflows_on_acceptance()
    {
        // 9999-12-31 used to pass, then the second acceptance failed computing the delivery deadline.
        var far = new ContractBuilder().WithMilestone(1m, DateOnly.MaxValue, title: "Someday").Terms();
        var ex = Assert.Throws<InvalidInputException>(() => Contract.CreateDraft(StoreId, far, Staff, Start));
        Assert.Equal("milestones[0].dueDate", ex.Field);
        Assert.Contains("at most 10 years ahead", ex.Message);

        var justInRange = new ContractBuilder().WithMilestone(1m, Today.AddYears(ContractTerms.MaxDueDateYearsAhead)).Active();
        Assert.Equal(ContractState.Active, justInRange.State);
        Assert.Throws<InvalidInputException>(() => Contract.CreateDraft(StoreId,
            new ContractBuilder().WithMilestone(1m, Today.AddYears(ContractTerms.MaxDueDateYearsAhead).AddDays(1)).Terms(), Staff, Start));
    }

    [Fact]
    public void Today_is_an_acceptable_due_date()
    {
        var contract = Contract.CreateDraft(StoreId, new ContractBuilder().WithMilestone(1m, Today).Terms(), Staff, Start);

        Assert.Equal(Today, contract.M(1).DueDate);
    }

    [Fact]
    public void A_due_date_that_passed_while_the_draft_waited_is_refused_when_proposing()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today.AddDays(1)).Draft();

        Assert.Throws<InvalidInputException>(() => contract.Propose(Staff, Start.AddDays(3)));
        Assert.Equal(ContractState.Draft, contract.State);
    }

    [Fact]
    public void A_new_due_date_in_the_past_is_refused_in_an_amendment_but_an_unchanged_passed_one_is_kept()
    {
        var b = () => new ContractBuilder().WithMilestone(1m, Today.AddDays(1)).WithMilestone(2m, Today.AddDays(30));
        var contract = b().Active();
        var later = Start.AddDays(5);

        var amendment = contract.ChangeTerms(b().ChangeMilestone(2, amount: 3m).Terms(), Staff, later);
        Assert.NotNull(amendment);

        var ex = Assert.Throws<InvalidInputException>(() => contract.ChangeTerms(b().ChangeMilestone(2, dueDate: Today.AddDays(2)).Terms(), Staff, later));
        Assert.Equal("milestones[1].dueDate", ex.Field);
    }

    [Fact]
    public void Terms_without_milestones_are_refused()
    {
        var ex = Assert.Throws<InvalidInputException>(() => ContractTerms.Create(
            "Title", "", Party.Create("A", "a@example.com", "client"), Party.Create("B", "b@example.com", "freelancer"),
            "BTC", FeePolicy.None("BTC"), FxPolicy.NotApplicable, OverpaymentHandling.RollForward,
            TimeSpan.FromDays(14), TimeSpan.FromDays(7), []));

        Assert.Equal("milestones", ex.Field);
    }

    [Fact]
    public void A_milestone_of_zero_is_refused()
    {
        var ex = Assert.Throws<InvalidInputException>(() => new ContractBuilder().WithMilestone(0m).Terms());

        Assert.Equal("milestones[0].amount", ex.Field);
    }

    [Fact]
    public void A_fiat_contract_needs_an_fx_policy_and_a_bitcoin_contract_ignores_it()
    {
        var ex = Assert.Throws<InvalidInputException>(() => new ContractBuilder().In("EUR", FxPolicy.NotApplicable).Terms());
        Assert.Contains("needs an FX policy", ex.Message);

        Assert.Equal(FxPolicy.NotApplicable, new ContractBuilder().In("BTC", FxPolicy.BtcLocked).Terms().Fx);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(24 * 366)]
    public void A_review_window_outside_one_hour_to_a_year_is_refused(double hours)
    {
        var ex = Assert.Throws<InvalidInputException>(() => new ContractBuilder().WithReviewWindow(TimeSpan.FromHours(hours)).Terms());

        Assert.Equal("reviewWindow", ex.Field);
    }

    [Fact]
    public void Titles_are_trimmed_and_control_characters_refused()
    {
        Assert.Equal("Logo", new ContractBuilder().Titled("  Logo  ").Terms().Title);

        var ex = Assert.Throws<InvalidInputException>(() => new ContractBuilder().Titled("Lo\u0007go").Terms());
        Assert.Contains("control character", ex.Message);
    }

    [Fact]
    public void The_total_is_the_sum_of_the_milestones()
    {
        Assert.Equal(Money.Of(2000m, "USD"), Base().Terms().Total);
    }

    [Fact]
    public void A_window_finer_than_whole_seconds_is_refused_because_the_signed_text_could_not_show_it()
    {
        var error = Assert.Throws<InvalidInputException>(() => new ContractBuilder().WithMilestone(10m).WithReviewWindow(TimeSpan.FromHours(2) + TimeSpan.FromMilliseconds(500)).Terms());
        Assert.Equal("reviewWindow", error.Field);
    }
}
