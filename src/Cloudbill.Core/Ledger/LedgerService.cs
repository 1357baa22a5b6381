using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Ledger;

public readonly record struct PostingLine(long LedgerAccountId, Money Amount);

/// <summary>One transaction for <see cref="LedgerService.PostNew"/>.</summary>
public sealed record NewJournalTransaction(string BusinessKey, string Description, IReadOnlyList<PostingLine> Lines);

/// <summary>Whether <see cref="LedgerService.Post"/> wrote the transaction or found it already written.</summary>
public sealed record PostResult(JournalTransaction Transaction, bool AlreadyPosted);

/// <summary>
/// The journal (R10). Posts balanced transactions under unique business keys and keeps each
/// account's running balance; never updates or deletes a posting.
/// </summary>
public sealed class LedgerService(CloudbillDbContext db, AuditLog audit, TimeProvider clock)
{
    public const string RevenueCode = "revenue";
    public const string CouponExpenseCode = "coupon-expense";
    public const string AlipayClearingCode = "clearing:alipay";
    public const string UnionPayClearingCode = "clearing:unionpay";
    public const string OperatorAdjustmentsCode = "operator-adjustments";

    public static string CashCode(long billingAccountId) => $"customer:{billingAccountId}:cash";
    public static string OverdueCode(long billingAccountId) => $"customer:{billingAccountId}:overdue";

    /// <summary>
    /// Appends one balanced transaction in the caller's database transaction (or its own). The
    /// same business key twice posts nothing (R10.3): an identical retry (the same amounts to the
    /// same accounts) returns the first transaction; other postings under that key are refused
    /// with a conflict naming the key, as they would be money posted under another's name.
    /// </summary>
    public async Task<Result<PostResult>> Post(string businessKey, string description, IReadOnlyList<PostingLine> lines, CancellationToken ct)
    {
        var existing = await db.JournalTransactions.AsNoTracking().Include(t => t.Postings)
            .FirstOrDefaultAsync(t => t.BusinessKey == businessKey, ct);
        if (existing is not null)
        {
            return SamePostings(existing, lines)
                ? new PostResult(existing, AlreadyPosted: true)
                : LedgerErrors.KeyReused(businessKey, existing.Id);
        }

        var accountIds = lines.Where(l => !l.Amount.IsZero).Select(l => l.LedgerAccountId).Distinct().ToList();
        var accounts = await db.LedgerAccounts.AsNoTracking().Where(a => accountIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.BillingAccountId, ct);
        var staged = Stage(businessKey, description, lines, accounts);
        if (!staged.Succeeded)
            return staged.Problem!;
        var transaction = staged.Value;
        var nonZero = lines.Where(l => !l.Amount.IsZero).ToList();

        await using var tx = await db.BeginOrJoinTransaction(ct);
        db.JournalTransactions.Add(transaction);
        audit.AddTransactions([transaction]);
        await db.SaveChangesAsync(ct);

        // A customer account's running balance moves in the database, not from a value read
        // earlier, so two transactions posting to one account at once both count. Shared
        // accounts (revenue, clearing) keep no running balance: one hot row would serialize
        // every payment of every customer behind it (docs/decisions/0002).
        foreach (var group in nonZero.Where(l => accounts[l.LedgerAccountId] is not null).GroupBy(l => l.LedgerAccountId))
        {
            var delta = group.Aggregate(Money.Zero, (acc, l) => acc + l.Amount).Fen;
            await db.LedgerAccounts.Where(a => a.Id == group.Key)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFen, a => a.BalanceFen + delta), ct);
        }

        await tx.Commit(ct);
        return new PostResult(transaction, AlreadyPosted: false);
    }

    private static bool SamePostings(JournalTransaction existing, IReadOnlyList<PostingLine> lines) =>
        existing.Postings.Select(p => (p.LedgerAccountId, p.AmountFen)).Order()
            .SequenceEqual(lines.Where(l => !l.Amount.IsZero).Select(l => (l.LedgerAccountId, l.Amount.Fen)).Order());

    /// <summary>
    /// Appends many balanced transactions in one save, inside the caller's transaction: the
    /// engine's hourly charges, where a catch-up writes thousands. Their business keys must be
    /// new because the caller's cursor moves in the same transaction; a key posted before
    /// fails the save on its unique index (R10.3) and the caller's transaction rolls back, so
    /// nothing is ever posted twice. Nothing stays tracked afterwards.
    /// </summary>
    public async Task PostNew(IReadOnlyList<NewJournalTransaction> transactions, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("PostNew runs inside the caller's transaction, which also moves the cursor that makes its keys new.");
        var entities = new List<JournalTransaction>(transactions.Count);
        var deltas = new Dictionary<long, long>();
        var accountIds = transactions.SelectMany(t => t.Lines).Select(l => l.LedgerAccountId).Distinct().ToList();
        var accounts = await db.LedgerAccounts.AsNoTracking().Where(a => accountIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.BillingAccountId, ct);
        var now = clock.GetUtcNow();
        foreach (var t in transactions)
        {
            var nonZero = t.Lines.Where(l => !l.Amount.IsZero).ToList();
            var sum = nonZero.Aggregate(Money.Zero, (acc, l) => acc + l.Amount);
            if (nonZero.Count == 0 || !sum.IsZero || nonZero.Any(l => !accounts.ContainsKey(l.LedgerAccountId)))
                throw new InvalidOperationException($"Transaction {t.BusinessKey} is empty, unbalanced ({sum}) or posts to an unknown account.");
            entities.Add(new JournalTransaction
            {
                BusinessKey = t.BusinessKey,
                Description = t.Description,
                PostedAt = now,
                Postings = nonZero.Select(l => new Posting { LedgerAccountId = l.LedgerAccountId, BillingAccountId = accounts[l.LedgerAccountId], AmountFen = l.Amount.Fen }).ToList(),
            });
            foreach (var line in nonZero.Where(l => accounts[l.LedgerAccountId] is not null))
                deltas[line.LedgerAccountId] = checked(deltas.GetValueOrDefault(line.LedgerAccountId) + line.Amount.Fen);
        }
        if (entities.Count == 0)
            return;

        db.JournalTransactions.AddRange(entities);
        var audited = audit.AddTransactions(entities);
        await db.SaveChangesAsync(ct);
        foreach (var row in audited)
            db.Entry(row).State = EntityState.Detached;
        foreach (var entity in entities)
        {
            foreach (var posting in entity.Postings)
                db.Entry(posting).State = EntityState.Detached;
            db.Entry(entity).State = EntityState.Detached;
        }
        // Running balances of customer accounts move in the database, as in Post.
        foreach (var (accountId, delta) in deltas.Where(d => d.Value != 0))
        {
            await db.LedgerAccounts.Where(a => a.Id == accountId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFen, a => a.BalanceFen + delta), ct);
        }
    }

    /// <summary>The audit log, for a caller that writes staged transactions itself (<see cref="Stage"/>).</summary>
    internal AuditLog Audit => audit;

    /// <summary>
    /// A balanced transaction for a new business key, built but not added or saved: checked as
    /// <see cref="Post"/> checks it. <paramref name="billingAccountOf"/> gives each ledger account's
    /// customer (null for shared accounts). The caller adds it and moves the customer accounts'
    /// running balances (<see cref="MoveRunningBalances"/>) in the same database transaction, with its audit row (<see cref="Audit"/>).
    /// </summary>
    internal Result<JournalTransaction> Stage(string businessKey, string description, IReadOnlyList<PostingLine> lines, IReadOnlyDictionary<long, long?> billingAccountOf)
    {
        var nonZero = lines.Where(l => !l.Amount.IsZero).ToList();
        if (nonZero.Count == 0)
            return LedgerErrors.Empty(businessKey);
        var sum = nonZero.Aggregate(Money.Zero, (acc, l) => acc + l.Amount);
        if (!sum.IsZero)
            return LedgerErrors.Unbalanced(businessKey, sum);
        var missing = nonZero.Select(l => l.LedgerAccountId).FirstOrDefault(id => !billingAccountOf.ContainsKey(id));
        if (missing != 0)
            return LedgerErrors.UnknownAccount(missing);

        return new JournalTransaction
        {
            BusinessKey = businessKey,
            Description = description,
            PostedAt = clock.GetUtcNow(),
            Postings = nonZero.Select(l => new Posting { LedgerAccountId = l.LedgerAccountId, BillingAccountId = billingAccountOf[l.LedgerAccountId], AmountFen = l.Amount.Fen }).ToList(),
        };
    }

    /// <summary>
    /// Adds each delta to its customer account's running balance in the database (never from a
    /// value read earlier, as in <see cref="Post"/>): one statement for all of them on PostgreSQL.
    /// </summary>
    internal async Task MoveRunningBalances(IReadOnlyDictionary<long, long> deltaFenByLedgerAccount, DatabaseProvider provider, CancellationToken ct)
    {
        var moves = deltaFenByLedgerAccount.Where(m => m.Value != 0).OrderBy(m => m.Key).ToList();
        if (moves.Count == 0)
            return;
        if (provider == DatabaseProvider.Postgres)
        {
            var ids = moves.Select(m => m.Key).ToArray();
            var deltas = moves.Select(m => m.Value).ToArray();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "LedgerAccounts" AS a SET "BalanceFen" = a."BalanceFen" + d."Delta"
                FROM unnest({ids}, {deltas}) AS d("Id", "Delta")
                WHERE a."Id" = d."Id"
                """, ct);
            return;
        }
        foreach (var (id, delta) in moves)
        {
            await db.LedgerAccounts.Where(a => a.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFen, a => a.BalanceFen + delta), ct);
        }
    }

    /// <summary>The shared accounts every database has; created by a migration of each provider (DataMovedOutOfTheMigrator), before any posting.</summary>
    public static readonly (string Code, LedgerAccountKind Kind)[] SystemAccounts =
    [
        (RevenueCode, LedgerAccountKind.Revenue),
        (CouponExpenseCode, LedgerAccountKind.CouponExpense),
        (AlipayClearingCode, LedgerAccountKind.AlipayClearing),
        (UnionPayClearingCode, LedgerAccountKind.UnionPayClearing),
        (OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments),
    ];

    /// <summary>A shared account's balance: the sum of its postings (it keeps no running balance).</summary>
    public async Task<Money> SystemBalance(string code, CancellationToken ct) =>
        new(await db.Postings.Where(p => db.LedgerAccounts.Any(a => a.Id == p.LedgerAccountId && a.Code == code)).SumAsync(p => p.AmountFen, ct));

    /// <summary>The id of a shared account (revenue, clearing, adjustments), created on first use.</summary>
    public Task<long> SystemAccount(string code, LedgerAccountKind kind, CancellationToken ct) =>
        EnsureAccount(code, kind, null, ct);

    /// <summary>Opens a customer's cash and overdue accounts (idempotent).</summary>
    public async Task<(long Cash, long Overdue)> OpenCustomerAccounts(long billingAccountId, CancellationToken ct) =>
        (await EnsureAccount(CashCode(billingAccountId), LedgerAccountKind.CustomerCash, billingAccountId, ct),
         await EnsureAccount(OverdueCode(billingAccountId), LedgerAccountKind.CustomerOverdue, billingAccountId, ct));

    private async Task<long> EnsureAccount(string code, LedgerAccountKind kind, long? billingAccountId, CancellationToken ct)
    {
        var id = await db.LedgerAccounts.Where(a => a.Code == code).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (id is not null)
            return id.Value;
        var account = new LedgerAccount { Code = code, Kind = kind, BillingAccountId = billingAccountId };
        db.LedgerAccounts.Add(account);
        await db.SaveChangesAsync(ct);
        return account.Id;
    }

    /// <summary>Cash and overdue as the ledger holds them, with the account's credit line (R7.1), in one query.</summary>
    public async Task<Accounts.AccountBalance> Balance(long billingAccountId, CancellationToken ct)
    {
        var row = await db.BillingAccounts.AsNoTracking()
            .Where(a => a.Id == billingAccountId)
            .Select(a => new
            {
                a.CreditLine,
                Cash = db.LedgerAccounts.Where(l => l.BillingAccountId == billingAccountId && l.Kind == LedgerAccountKind.CustomerCash).Select(l => (long?)l.BalanceFen).FirstOrDefault(),
                Owed = db.LedgerAccounts.Where(l => l.BillingAccountId == billingAccountId && l.Kind == LedgerAccountKind.CustomerOverdue).Select(l => (long?)l.BalanceFen).FirstOrDefault(),
            })
            .Prepared()
            .FirstAsync(ct);
        return new Accounts.AccountBalance(new Money(row.Cash ?? 0), row.CreditLine, -new Money(row.Owed ?? 0));
    }
}
