using Cloudbill.Core.Coupons;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

/// <summary>The cash statement with its running balance, and the spending per Asia/Shanghai month.</summary>
public class AccountStatementTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_statement_runs_the_balance_and_spending_counts_each_renewal_in_its_Shanghai_month(DatabaseProvider provider)
    {
        // 2026-11-30 23:30 in Shanghai is still November; 00:30 on December 1st is December.
        var lateNovember = BusinessCalendar.At(new NodaTime.LocalDate(2026, 11, 30), 23, 30);
        await using var test = await TestServices.Start(provider, lateNovember);
        var account = await test.Customer("1000.00");
        var first = await test.Instance(account, lateNovember.AddDays(10));
        var second = await test.Instance(account, lateNovember.AddDays(12));
        async Task<Money> Renew(string id) => (await test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
            s.RenewNow(account, [id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value.Order.Payable;
        var november = await Renew(first.Id);
        test.Clock.Advance(TimeSpan.FromHours(1));
        var december = await Renew(second.Id);

        var page = await test.Run<AccountStatement, StatementPage>((s, ct) => s.List(account, new StatementFilter(), ct));
        Assert.Equal(3, page.Total);
        Assert.Equal([StatementKind.Consumption, StatementKind.Consumption, StatementKind.Adjust], page.Lines.Select(l => l.Kind));
        Assert.Equal([-december, -november, Money.Parse("1000.00")], page.Lines.Select(l => l.Amount));
        Assert.Equal([Money.Parse("1000.00") - november - december, Money.Parse("1000.00") - november, Money.Parse("1000.00")], page.Lines.Select(l => l.BalanceAfter));
        var second2 = await test.Run<AccountStatement, StatementPage>((s, ct) => s.List(account, new StatementFilter(Page: 2, PageSize: 2), ct));
        Assert.Equal(Money.Parse("1000.00"), Assert.Single(second2.Lines).BalanceAfter);

        var spending = await test.Run<AccountStatement, IReadOnlyList<MonthlySpending>>((s, ct) => s.Spending(account, 6, test.Clock.GetUtcNow(), ct));
        Assert.Equal([(2026, 7), (2026, 8), (2026, 9), (2026, 10), (2026, 11), (2026, 12)], spending.Select(m => (m.Year, m.Month)));
        Assert.Equal([Money.Zero, Money.Zero, Money.Zero, Money.Zero, november, december], spending.Select(m => m.Amount));
    }
}
