using BTCPayServer.Plugins.Escrow.Core.Statements;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Statements;

public sealed class StatementPeriodTests
{
    private static readonly DateOnly Today = new(2030, 3, 15);

    [Fact]
    public void Iso_dates_make_whole_utc_days_both_included()
    {
        var period = StatementPeriod.Parse("2030-01-01", "2030-01-31", Today, Today);

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.True(period.Contains(new DateTimeOffset(2030, 1, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.False(period.Contains(new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(period.Contains(new DateTimeOffset(2029, 12, 31, 23, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Empty_dates_take_their_defaults()
    {
        var period = StatementPeriod.Parse(" ", null, new DateOnly(2030, 3, 1), Today);
        Assert.Equal((new DateOnly(2030, 3, 1), Today), (period.From, period.To));
        Assert.Null(StatementPeriod.ForContract(null, "", DateTimeOffset.UnixEpoch, Today));
    }

    [Theory]
    [InlineData("15/03/2030", "from", "is not a date")]
    [InlineData("2030-02-30", "from", "is not a date")]
    [InlineData("2030-3-1", "from", "is not a date")]
    [InlineData("yesterday", "from", "yyyy-MM-dd")]
    public void A_date_that_is_not_iso_is_refused_with_a_message(string from, string field, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => StatementPeriod.Parse(from, "2030-03-15", Today, Today));
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_start_after_the_end_is_refused()
    {
        var e = Assert.Throws<InvalidInputException>(() => StatementPeriod.Parse("2030-03-16", "2030-03-15", Today, Today));
        Assert.Contains("after it ends on 2030-03-15", e.Message);
    }

    [Fact]
    public void More_than_five_years_is_refused_and_five_years_is_allowed()
    {
        Assert.Equal(new DateOnly(2025, 3, 15), StatementPeriod.Parse("2025-03-15", "2030-03-15", Today, Today).From);
        var e = Assert.Throws<InvalidInputException>(() => StatementPeriod.Parse("2025-03-14", "2030-03-15", Today, Today));
        Assert.Contains("at most 5 years", e.Message);
    }
}
