using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>
/// R10: whatever is posted, every balance equals its postings and every transaction balances; a
/// business key posts once (R10.3): an identical retry returns the first transaction, other postings are refused.
/// </summary>
public class LedgerPropertyTests
{
    /// <summary>
    /// One attempted transaction: postings to accounts 0..4, balanced or not, maybe reusing an
    /// earlier key; or (<paramref name="Retry"/>) an exact retry of an earlier posted one, its lines
    /// in another order.
    /// </summary>
    public sealed record Attempt(int KeyNumber, (int Account, long Fen)[] Lines, bool Balance, bool Retry);

    private static readonly Gen<Attempt> Attempts =
        from keyNumber in Gen.Choose(0, 30)
        from count in Gen.Choose(1, 4)
        from lines in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 4), Gen.Choose(-5_000_000, 5_000_000).Select(x => (long)x)), count)
        from balance in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from retry in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Attempt(keyNumber, lines, balance, retry);

    private static List<(long, long)> Canonical(IEnumerable<PostingLine> lines) =>
        lines.Where(l => l.Amount.Fen != 0).Select(l => (l.LedgerAccountId, l.Amount.Fen)).Order().ToList();

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
        // Every posted key with its lines (as posted) and its transaction.
        var posted = new Dictionary<string, (List<PostingLine> Lines, long TransactionId)>();
        var retries = 0;
        var conflicts = 0;
        var run = 0;
        var property = Prop.ForAll(Gen.ListOf(Attempts, 12).ToArbitrary(), attempts =>
        {
            run++;
            foreach (var attempt in attempts)
            {
                string key;
                List<PostingLine> lines;
                if (attempt.Retry && posted.Count > 0)
                {
                    // An identical retry of an earlier transaction, its lines in reverse order.
                    key = posted.Keys.OrderBy(k => k, StringComparer.Ordinal).ElementAt(attempt.KeyNumber % posted.Count);
                    lines = Enumerable.Reverse(posted[key].Lines).ToList();
                }
                else
                {
                    lines = attempt.Lines.Select(l => new PostingLine(accounts[l.Account], new Money(l.Fen))).ToList();
                    if (attempt.Balance)
                    {
                        var sum = lines.Sum(l => l.Amount.Fen);
                        lines.Add(new PostingLine(accounts[(attempt.KeyNumber + 1) % 5], new Money(-sum)));
                    }
                    key = $"run{run % 3}:{attempt.KeyNumber}";
                }
                var result = test.Run<LedgerService, Problems.Result<PostResult>>((l, ct) => l.Post(key, "property", lines, ct)).GetAwaiter().GetResult();

                var isBalanced = lines.Sum(l => l.Amount.Fen) == 0 && lines.Any(l => l.Amount.Fen != 0);
                if (posted.TryGetValue(key, out var first))
                {
                    // R10.3: the same business key never posts twice. An identical retry gets the
                    // first transaction back; other postings under the key are a conflict naming it.
                    if (Canonical(first.Lines).SequenceEqual(Canonical(lines)))
                    {
                        Assert.True(result.Succeeded && result.Value.AlreadyPosted);
                        Assert.Equal(first.TransactionId, result.Value.Transaction.Id);
                        retries++;
                    }
                    else
                    {
                        Assert.False(result.Succeeded);
                        Assert.Equal(("Ledger.KeyReused", Problems.ProblemKind.Conflict), (result.Problem!.Code, result.Problem.Kind));
                        Assert.Contains($"'{key}'", result.Problem.Message, StringComparison.Ordinal);
                        conflicts++;
                    }
                }
                else if (isBalanced)
                {
                    Assert.True(result.Succeeded && !result.Value.AlreadyPosted);
                    posted.Add(key, (lines, result.Value.Transaction.Id));
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
        Assert.True(posted.Count > 0);
        Assert.True(retries > 0 && conflicts > 0, $"{retries} identical retries and {conflicts} conflicting reuses were tried");
    }
}
