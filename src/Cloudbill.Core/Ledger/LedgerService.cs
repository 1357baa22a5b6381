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

        var staged = Stage(businessKey, description, lines, await CustomersOf(lines, ct));
        if (!staged.Succeeded)
            return staged.Problem!;

        await using var tx = await db.BeginOrJoinTransaction(ct);
        await Write([staged.Value], kind: null, bulk: false, ct);
        await tx.Commit(ct);
        return new PostResult(staged.Value, AlreadyPosted: false);
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
        var customers = await CustomersOf(transactions.SelectMany(t => t.Lines), ct);
        var staged = transactions.Select(t => Stage(t.BusinessKey, t.Description, t.Lines, customers) is { Succeeded: true } ok
            ? ok.Value
            : throw new InvalidOperationException($"Transaction {t.BusinessKey} is empty, unbalanced or posts to an unknown account.")).ToList();
        await Write(staged, kind: null, bulk: false, ct);
    }

    /// <summary>Each ledger account's customer (null for a shared account), for <see cref="Stage"/>.</summary>
    internal async Task<IReadOnlyDictionary<long, long?>> CustomersOf(IEnumerable<PostingLine> lines, CancellationToken ct)
    {
        var accountIds = lines.Where(l => !l.Amount.IsZero).Select(l => l.LedgerAccountId).Distinct().ToList();
        return await db.LedgerAccounts.AsNoTracking().Where(a => accountIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.BillingAccountId, ct);
    }

    /// <summary>The audit log, for a caller that records a ledger-related event of its own.</summary>
    internal AuditLog Audit => audit;

    /// <summary>
    /// The one check of a transaction (R10): not empty, balanced, and to known accounts. Builds it
    /// for a new business key, not added or saved; <paramref name="billingAccountOf"/> gives each
    /// ledger account's customer (null for shared accounts). <see cref="Write"/> writes it.
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
    /// The one write path of the journal, inside the caller's database transaction: the staged
    /// transactions (<see cref="Stage"/>) and their audit rows are inserted (a batch on PostgreSQL
    /// with one statement per table when <paramref name="bulk"/>, else in one save), nothing of them
    /// stays tracked, and the customer accounts' running balances move once per account.
    /// </summary>
    internal async Task Write(IReadOnlyList<JournalTransaction> staged, AuditEventKind? kind, bool bulk, CancellationToken ct)
    {
        if (staged.Count == 0)
            return;
        var provider = db.Database.IsNpgsql() ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        if (bulk && provider == DatabaseProvider.Postgres)
        {
            await PostgresBulkWrites.InsertWithChildren(db, staged, (transaction, id) =>
            {
                transaction.Id = id;
                foreach (var posting in transaction.Postings)
                    posting.TransactionId = id;
            }, t => t.Postings, ct);
            await PostgresBulkWrites.Insert(db, staged.Select(t => audit.OfTransaction(t, kind)).OfType<AuditEvent>().ToList(), ct);
        }
        else
        {
            db.JournalTransactions.AddRange(staged);
            var audited = audit.AddTransactions(staged, kind);
            await db.SaveChangesAsync(ct);
            foreach (var row in audited)
                db.Entry(row).State = EntityState.Detached;
            foreach (var transaction in staged)
            {
                foreach (var posting in transaction.Postings)
                    db.Entry(posting).State = EntityState.Detached;
                db.Entry(transaction).State = EntityState.Detached;
            }
        }
        await MoveRunningBalances(staged, provider, ct);
    }

    /// <summary>
    /// A customer account's running balance moves in the database, never from a value read
    /// earlier, so two transactions posting to one account at once both count: one statement
    /// for all accounts on PostgreSQL. Shared accounts (revenue, clearing) keep no running
    /// balance: one hot row would serialize every payment of every customer behind it (docs/decisions/0002).
    /// </summary>
    private async Task MoveRunningBalances(IEnumerable<JournalTransaction> written, DatabaseProvider provider, CancellationToken ct)
    {
        var moves = written.SelectMany(t => t.Postings).Where(p => p.BillingAccountId is not null)
            .GroupBy(p => p.LedgerAccountId)
            .Select(g => (Id: g.Key, Delta: g.Aggregate(0L, (sum, p) => checked(sum + p.AmountFen))))
            .Where(m => m.Delta != 0).OrderBy(m => m.Id).ToList();
        if (moves.Count == 0)
            return;
        if (provider == DatabaseProvider.Postgres)
        {
            var ids = moves.Select(m => m.Id).ToArray();
            var deltas = moves.Select(m => m.Delta).ToArray();
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

    /// <summary>The shared accounts every database has; created by the baseline migration of each provider, before any posting.</summary>
    public static readonly (string Code, LedgerAccountKind Kind)[] SystemAccounts =
    [
        (RevenueCode, LedgerAccountKind.Revenue),
        (CouponExpenseCode, LedgerAccountKind.CouponExpense),
        (AlipayClearingCode, LedgerAccountKind.AlipayClearing),
        (UnionPayClearingCode, LedgerAccountKind.UnionPayClearing),
        (OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments),
    ];

    /// <summary>The id of a shared account (revenue, clearing, adjustments), created on first use.</summary>
    public Task<long> SystemAccount(string code, LedgerAccountKind kind, CancellationToken ct) =>
        EnsureAccount(code, kind, null, ct);

    /// <summary>Opens a customer's cash and overdue accounts (idempotent).</summary>
    public async Task<(long Cash, long Overdue)> OpenCustomerAccounts(long billingAccountId, CancellationToken ct) =>
        (await EnsureAccount(CashCode(billingAccountId), LedgerAccountKind.CustomerCash, billingAccountId, ct),
         await EnsureAccount(OverdueCode(billingAccountId), LedgerAccountKind.CustomerOverdue, billingAccountId, ct));

    /// <summary>
    /// A payment's ledger accounts: the customer's cash and the shared coupon expense and revenue,
    /// read in one query (they exist once the customer and the database do), each created only if
    /// missing.
    /// </summary>
    public async Task<(long Cash, long CouponExpense, long Revenue)> PaymentAccounts(long billingAccountId, CancellationToken ct)
    {
        var cashCode = CashCode(billingAccountId);
        var codes = new[] { cashCode, CouponExpenseCode, RevenueCode };
        var found = await db.LedgerAccounts.Where(a => codes.Contains(a.Code)).Select(a => new { a.Code, a.Id }).ToListAsync(ct);
        async Task<long> Id(string code, LedgerAccountKind kind, long? owner) =>
            found.FirstOrDefault(a => a.Code == code)?.Id ?? await EnsureAccount(code, kind, owner, ct);
        return (await Id(cashCode, LedgerAccountKind.CustomerCash, billingAccountId),
            await Id(CouponExpenseCode, LedgerAccountKind.CouponExpense, null),
            await Id(RevenueCode, LedgerAccountKind.Revenue, null));
    }

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
