using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>R10: whatever is posted, every balance equals its postings and every transaction balances.</summary>
public class LedgerPropertyTests
{
    /// <summary>One attempted transaction: postings to accounts 0..4, balanced or not, maybe reusing an earlier key.</summary>
    public sealed record Attempt(int KeyNumber, (int Account, long Fen)[] Lines, bool Balance);

    private static readonly Gen<Attempt> Attempts =
        from keyNumber in Gen.Choose(0, 30)
        from count in Gen.Choose(1, 4)
        from lines in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 4), Gen.Choose(-5_000_000, 5_000_000).Select(x => (long)x)), count)
        from balance in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        select new Attempt(keyNumber, lines, balance);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Random_postings_keep_every_balance_equal_to_its_postings(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        // Five customers' cash accounts: the accounts that keep a running balance.
        var accounts = new long[5];
        for (var i = 0; i < accounts.Length; i++)
        {
            var customer = await test.Customer();
            accounts[i] = (await test.Run<LedgerService, (long Cash, long Overdue)>((l, ct) => l.OpenCustomerAccounts(customer, ct))).Cash;
        }

        var expected = new long[5];
        var postedKeys = new HashSet<string>();
        var run = 0;
        var property = Prop.ForAll(Gen.ListOf(Attempts, 12).ToArbitrary(), attempts =>
        {
            run++;
            foreach (var attempt in attempts)
            {
                var lines = attempt.Lines.Select(l => new PostingLine(accounts[l.Account], new Money(l.Fen))).ToList();
                if (attempt.Balance)
                {
                    var sum = lines.Sum(l => l.Amount.Fen);
                    lines.Add(new PostingLine(accounts[(attempt.KeyNumber + 1) % 5], new Money(-sum)));
                }
                var key = $"run{run % 3}:{attempt.KeyNumber}";
                var result = test.Run<LedgerService, Problems.Result<PostResult>>((l, ct) => l.Post(key, "property", lines, ct)).GetAwaiter().GetResult();

                var isBalanced = lines.Sum(l => l.Amount.Fen) == 0 && lines.Any(l => l.Amount.Fen != 0);
                if (postedKeys.Contains(key))
                {
                    // R10.3: the same business key never posts twice.
                    Assert.True(result.Succeeded && result.Value.AlreadyPosted);
                }
                else if (isBalanced)
                {
                    Assert.True(result.Succeeded && !result.Value.AlreadyPosted);
                    postedKeys.Add(key);
                    foreach (var line in lines)
                        expected[Array.IndexOf(accounts, line.LedgerAccountId)] += line.Amount.Fen;
                }
                else
                {
                    Assert.False(result.Succeeded);
                }
            }

            var report = test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct)).GetAwaiter().GetResult();
            var balances = test.Query(db => db.LedgerAccounts.Where(a => accounts.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.BalanceFen)).GetAwaiter().GetResult();
            return report.IsClean && accounts.Select((id, i) => balances[id] == expected[i]).All(x => x);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(provider == DatabaseProvider.Sqlite ? 40 : 20), property);
        Assert.True(postedKeys.Count > 0);
    }
}
