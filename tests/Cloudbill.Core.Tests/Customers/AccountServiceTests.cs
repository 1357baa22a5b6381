using Cloudbill.Core.Accounts;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

public class AccountServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_new_customer_gets_an_account_an_opening_balance_and_an_AccessKey(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var created = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("alice@example.com", "Secret-2026", Money.Parse("100.00"), null, ct));

        Assert.True(created.Succeeded);
        var accountId = created.Value.Account.Id;
        var balance = await test.Run<LedgerService, AccountBalance>((l, ct) => l.Balance(accountId, ct));
        Assert.Equal(Money.Parse("100.00"), balance.Cash);
        Assert.Equal(Money.Parse("100.00"), balance.AvailableCredit);
        Assert.Equal(Money.Zero, balance.Overdue);

        var pair = created.Value.AccessKey;
        Assert.Matches("^LTAI[A-Za-z0-9]{20}$", pair.AccessKeyId);
        Assert.Matches("^[A-Za-z0-9]{30}$", pair.AccessKeySecret);
        var stored = await test.Query(db => db.AccessKeys.SingleAsync(k => k.Id == pair.AccessKeyId));
        Assert.DoesNotContain(pair.AccessKeySecret, stored.ProtectedSecret, StringComparison.Ordinal);
        var resolved = await test.Run<AccessKeyService, (long, string)?>((k, ct) => k.Resolve(pair.AccessKeyId, ct));
        Assert.Equal((accountId, pair.AccessKeySecret), resolved);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_taken_email_a_weak_password_or_a_negative_balance_change_nothing(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("bob@example.com", "Secret-2026", Money.Zero, null, ct));
        var before = await Snapshot(test);

        var taken = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("bob@example.com", "Secret-2026", Money.Zero, null, ct));
        Assert.Equal("An account with the email bob@example.com already exists; sign in or use another email.", taken.Problem!.Message);
        var weak = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("carol@example.com", "short", Money.Parse("5.00"), null, ct));
        Assert.Equal("Account.WeakPassword", weak.Problem!.Code);
        var negative = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("dave@example.com", "Secret-2026", Money.Parse("-1.00"), null, ct));
        Assert.Equal("The opening balance -1.00 is negative; give 0.00 or more.", negative.Problem!.Message);
        var invalid = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create("not-an-email", "Secret-2026", Money.Zero, null, ct));
        Assert.Equal("'not-an-email' is not an email address.", invalid.Problem!.Message);

        Assert.Equal(before, await Snapshot(test));
    }

    [Fact]
    public void Available_credit_is_cash_plus_credit_line_minus_overdue() // R7.1
    {
        Assert.Equal(Money.Parse("150.00"), new AccountBalance(Money.Parse("100.00"), Money.Parse("80.00"), Money.Parse("30.00")).AvailableCredit);
        Assert.Equal(Money.Parse("-30.00"), new AccountBalance(Money.Zero, Money.Zero, Money.Parse("30.00")).AvailableCredit);
    }

    private static Task<string> Snapshot(TestServices test) => test.Query(async db =>
        string.Join("|",
            await db.BillingAccounts.CountAsync(),
            await db.Users.CountAsync(),
            await db.AccessKeys.CountAsync(),
            await db.LedgerAccounts.CountAsync(),
            await db.Postings.CountAsync(),
            await db.JournalTransactions.CountAsync()));
}
