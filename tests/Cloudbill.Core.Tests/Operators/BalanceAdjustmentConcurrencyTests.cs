using Cloudbill.Core.Ledger;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>Staff's balance adjustments under concurrency: one posting per form however often it arrives, and never below zero cash.</summary>
public class BalanceAdjustmentConcurrencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_same_form_sent_four_times_at_once_posts_one_adjustment(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer("10.00");
        var token = ClientToken.New();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(accountId, Money.Parse("25.00"), "goodwill", token, ct))));

        Assert.All(answers, a => Assert.True(a.Succeeded, a.Problem?.Message));
        Assert.Equal(1, answers.Count(a => !a.Value.AlreadyPosted));
        Assert.Single(answers.Select(a => a.Value.TransactionId).Distinct());
        Assert.Equal(Money.Parse("35.00"), (await test.Balance(accountId)).Cash);
        Assert.Equal(1, await test.Query(db => db.AuditEvents.CountAsync(a => a.AccountId == accountId && a.Kind == Audit.AuditEventKind.BalanceAdjusted)));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_deductions_of_the_whole_cash_at_once_take_it_once(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer("40.00");

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(accountId, Money.Parse("-40.00"), "correction", ClientToken.New(), ct))));

        Assert.Equal(1, answers.Count(a => a.Succeeded));
        var refused = Assert.Single(answers, a => !a.Succeeded);
        Assert.Equal("Adjustment.ExceedsCash", refused.Problem!.Code);
        Assert.Equal("The cash balance is 0.00 CNY; a deduction takes at most that.", refused.Problem.Message);
        Assert.Equal(Money.Zero, (await test.Balance(accountId)).Cash);
    }

    [Theory]
    [InlineData("0.00", "goodwill", "Adjustment.InvalidAmount")]
    [InlineData("1000000.01", "goodwill", "Adjustment.InvalidAmount")]
    [InlineData("5.00", "  ", "Staff.ReasonRequired")]
    [InlineData("5.00", "x\u0000y", "Staff.ReasonInvalid")]
    [InlineData("5.00", "301", "Staff.ReasonTooLong")]
    public async Task Bad_input_is_refused_and_posts_nothing(string amount, string reason, string code)
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var accountId = await test.Customer("10.00");
        reason = reason == "301" ? new string('r', StaffReason.MaxLength + 1) : reason;
        var answer = await test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(accountId, Money.Parse(amount), reason, ClientToken.New(), ct));
        Assert.Equal(code, answer.Problem?.Code);
        var missing = await test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(999_999, Money.Parse("1.00"), "x", ClientToken.New(), ct));
        Assert.Equal("Account.NotFound", missing.Problem?.Code);
        Assert.Equal(0, await test.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey.StartsWith("adjustment:"))));
    }
}
