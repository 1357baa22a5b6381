using Cloudbill.Core.Operators;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>Every figure of the finance overview is read by SQL both databases run, for both periods.</summary>
public class FinanceOverviewQueryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_figure_reads_on_each_database(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer("10.00");
        await test.MakeOverdue(accountId, "3.00");
        foreach (var period in Enum.GetValues<OverviewPeriod>())
        {
            var summary = await test.Run<FinanceOverview, OverviewSummary>((o, ct) => o.Summary(period, ct));
            Assert.Equal(Enum.GetValues<OverviewFigure>(), summary.Totals.Select(t => t.Figure));
            Assert.True(summary.From < summary.To);
        }
    }
}
