using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Ledger;

public sealed record BalanceMismatch(string AccountCode, Money Stored, Money SumOfPostings);

public sealed record UnbalancedTransaction(string BusinessKey, Money Sum);

public sealed record ReconciliationReport(int AccountsChecked, int TransactionsChecked, IReadOnlyList<BalanceMismatch> Mismatches, IReadOnlyList<UnbalancedTransaction> Unbalanced)
{
    public bool IsClean => Mismatches.Count == 0 && Unbalanced.Count == 0;
}

/// <summary>
/// R10.1: proves every customer's stored balance equals the sum of its postings and every
/// transaction sums to zero (shared accounts store no balance of their own).
/// </summary>
public sealed class Reconciliation(CloudbillDbContext db)
{
    public async Task<ReconciliationReport> Run(CancellationToken ct)
    {
        var sums = await db.Postings.GroupBy(p => p.LedgerAccountId)
            .Select(g => new { Id = g.Key, Sum = g.Sum(p => p.AmountFen) })
            .ToDictionaryAsync(x => x.Id, x => x.Sum, ct);
        var accounts = await db.LedgerAccounts.AsNoTracking().OrderBy(a => a.Code).ToListAsync(ct);
        var mismatches = accounts
            .Where(a => a.BillingAccountId is not null)
            .Select(a => new BalanceMismatch(a.Code, a.Balance, new Money(sums.GetValueOrDefault(a.Id))))
            .Where(m => m.Stored != m.SumOfPostings)
            .ToList();

        var unbalanced = await db.Postings.GroupBy(p => p.TransactionId)
            .Select(g => new { Id = g.Key, Sum = g.Sum(p => p.AmountFen) })
            .Where(x => x.Sum != 0)
            .Join(db.JournalTransactions, x => x.Id, t => t.Id, (x, t) => new { t.BusinessKey, x.Sum })
            .ToListAsync(ct);
        var transactions = await db.JournalTransactions.CountAsync(ct);

        return new ReconciliationReport(accounts.Count, transactions, mismatches,
            unbalanced.Select(u => new UnbalancedTransaction(u.BusinessKey, new Money(u.Sum))).ToList());
    }
}
