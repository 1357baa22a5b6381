using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

public class LedgerTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_unbalanced_transaction_is_refused_and_posts_nothing(DatabaseProvider provider) // R10.1
    {
        await using var test = await TestServices.Start(provider);
        var a = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount("test:a", LedgerAccountKind.OperatorAdjustments, ct));
        var b = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount("test:b", LedgerAccountKind.Revenue, ct));

        var result = await test.Run<LedgerService, Problems.Result<PostResult>>((l, ct) =>
            l.Post("k1", "bad", [new PostingLine(a, Money.Parse("-10.00")), new PostingLine(b, Money.Parse("9.99"))], ct));

        Assert.Equal("Ledger.Unbalanced", result.Problem!.Code);
        Assert.Equal("Transaction 'k1' does not balance: its postings sum to -0.01, not 0.00.", result.Problem.Message);
        Assert.Equal(0, await test.Query(db => db.Postings.CountAsync()));
        Assert.Equal(0, await test.Query(db => db.JournalTransactions.CountAsync()));
        Assert.All(await test.Query(db => db.LedgerAccounts.Select(x => x.BalanceFen).ToListAsync()), balance => Assert.Equal(0L, balance));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Parallel_postings_to_one_account_all_count(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var source = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct));
        var customer = await test.Customer();
        var target = (await test.Run<LedgerService, (long Cash, long Overdue)>((l, ct) => l.OpenCustomerAccounts(customer, ct))).Cash;

        // 20 different keys and 20 retries of the first: exactly 20 postings of 1.00 land.
        var attempts = Enumerable.Range(0, 40).Select(i => i < 20 ? $"parallel:{i}" : "parallel:0");
        await Task.WhenAll(attempts.Select(key => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await test.Run<LedgerService, Problems.Result<PostResult>>((l, ct) =>
                        l.Post(key, "parallel", [new PostingLine(source, Money.Parse("-1.00")), new PostingLine(target, Money.Parse("1.00"))], ct));
                    return;
                }
                catch (DbUpdateException) when (attempt < 20)
                {
                    // The unique business key refused a concurrent duplicate, or SQLite was busy: retry finds the first.
                }
                catch (Microsoft.Data.Sqlite.SqliteException) when (attempt < 20)
                {
                }
            }
        })));

        var report = await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct));
        Assert.True(report.IsClean);
        Assert.Equal(2000L, await test.Query(db => db.LedgerAccounts.Where(x => x.Id == target).Select(x => x.BalanceFen).SingleAsync()));
        Assert.Equal(Money.Parse("-20.00"), await test.SharedAccountBalance(LedgerService.OperatorAdjustmentsCode));
        Assert.Equal(20, await test.Query(db => db.JournalTransactions.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconcile_finds_a_balance_altered_behind_the_ledgers_back(DatabaseProvider provider) // R10.1
    {
        await using var test = await TestServices.Start(provider);
        var created = await test.Run<Customers.AccountService, Problems.Result<Customers.NewCustomer>>((s, ct) =>
            s.Create("tamper@example.com", "Passw0rd-x", Money.Parse("100.00"), null, ct));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);

        var code = LedgerService.CashCode(created.Value.Account.Id);
        await test.Query(db => db.LedgerAccounts.Where(a => a.Code == code).ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFen, 1_000_000L)));

        var report = await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct));
        Assert.False(report.IsClean);
        var mismatch = Assert.Single(report.Mismatches);
        Assert.Equal(code, mismatch.AccountCode);
        Assert.Equal(Money.Parse("10000.00"), mismatch.Stored);
        Assert.Equal(Money.Parse("100.00"), mismatch.SumOfPostings);
    }
}
