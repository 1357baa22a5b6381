using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Ledger;

/// <summary>What a posting on a customer's cash balance was, told by its transaction's business key.</summary>
public enum StatementKind
{
    /// <summary>A gateway payment received (a top-up, or money for an order paid by Alipay or UnionPay).</summary>
    Payment,

    /// <summary>An order or an hour of pay-as-you-go paid from the balance.</summary>
    Consumption,

    /// <summary>An operator's adjustment (an opening balance).</summary>
    Adjust,

    /// <summary>Any other credit.</summary>
    Refund,

    /// <summary>Any other debit (the overdue amount settled from the balance).</summary>
    Transfer,
}

/// <summary>The statement's filters, all optional; <see cref="Number"/> is a posting id.</summary>
public sealed record StatementFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    bool? Income = null,
    StatementKind? Kind = null,
    long? Number = null,
    int Page = 1,
    int PageSize = 20);

/// <summary>One posting on the cash balance: signed amount (in is positive) and the balance right after it.</summary>
public sealed record StatementLine(
    long PostingId,
    long TransactionId,
    DateTimeOffset PostedAt,
    string BusinessKey,
    string Description,
    Money Amount,
    Money BalanceAfter,
    StatementKind Kind);

public sealed record StatementPage(IReadOnlyList<StatementLine> Lines, int Total, int Page, int PageSize);

/// <summary>A month of spending in Asia/Shanghai.</summary>
public sealed record MonthlySpending(int Year, int Month, Money Amount);

/// <summary>
/// The customer's cash balance as a statement (the app's Transactions, the API's
/// QueryAccountTransactions) and its monthly spending (the app's Spending): the postings on the
/// customer's cash account, newest first, each with the balance after it.
/// </summary>
public sealed class AccountStatement(CloudbillDbContext db)
{
    private const string AlipayKey = "alipay:";
    private const string UnionPayKey = "unionpay:";
    private const string OrderKey = "order:";
    private const string PayAsYouGoKey = "payg:";
    private const string AdjustKey = "opening-balance:";
    /// <summary>A balance adjustment by the provider's staff (Operators/BalanceAdjustments).</summary>
    private const string StaffAdjustKey = "adjustment:";

    public async Task<StatementPage> List(long accountId, StatementFilter filter, CancellationToken ct)
    {
        var cash = await CashAccount(accountId, ct);
        if (cash is null)
            return new StatementPage([], 0, filter.Page, filter.PageSize);

        var query = Postings(accountId, cash.Value.Id);
        if (filter.From is { } from)
            query = query.Where(r => r.PostedAt >= from);
        if (filter.To is { } to)
            query = query.Where(r => r.PostedAt < to);
        if (filter.Income == true)
            query = query.Where(r => r.AmountFen > 0);
        if (filter.Income == false)
            query = query.Where(r => r.AmountFen < 0);
        if (filter.Number is { } number)
            query = query.Where(r => r.Id == number);
        query = filter.Kind switch
        {
            null => query,
            StatementKind.Payment => query.Where(r => r.BusinessKey.StartsWith(AlipayKey) || r.BusinessKey.StartsWith(UnionPayKey)),
            StatementKind.Consumption => query.Where(r => r.BusinessKey.StartsWith(OrderKey) || r.BusinessKey.StartsWith(PayAsYouGoKey)),
            StatementKind.Adjust => query.Where(r => r.BusinessKey.StartsWith(AdjustKey) || r.BusinessKey.StartsWith(StaffAdjustKey)),
            _ => query.Where(r => !r.BusinessKey.StartsWith(AlipayKey) && !r.BusinessKey.StartsWith(UnionPayKey)
                && !r.BusinessKey.StartsWith(OrderKey) && !r.BusinessKey.StartsWith(PayAsYouGoKey) && !r.BusinessKey.StartsWith(AdjustKey) && !r.BusinessKey.StartsWith(StaffAdjustKey)
                && (filter.Kind == StatementKind.Refund ? r.AmountFen > 0 : r.AmountFen < 0)),
        };

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.Id).Skip(Paging.Skip(filter.Page, filter.PageSize)).Take(filter.PageSize).ToListAsync(ct);
        if (rows.Count == 0)
            return new StatementPage([], total, filter.Page, filter.PageSize);

        // The balance after each posting: today's balance less everything posted after it.
        var newer = await db.Postings.Where(p => p.LedgerAccountId == cash.Value.Id && p.Id > rows[0].Id).SumAsync(p => (long?)p.AmountFen, ct) ?? 0;
        var after = cash.Value.BalanceFen - newer;
        var lines = new List<StatementLine>(rows.Count);
        foreach (var r in rows)
        {
            lines.Add(new StatementLine(r.Id, r.TransactionId, r.PostedAt, r.BusinessKey, r.Description, new Money(r.AmountFen), new Money(after), KindOf(r.BusinessKey, r.AmountFen)));
            after -= r.AmountFen;
        }
        return new StatementPage(lines, total, filter.Page, filter.PageSize);
    }

    /// <summary>
    /// Spending per month (Asia/Shanghai) for the <paramref name="months"/> months up to and
    /// including the current one, oldest first: what orders and pay-as-you-go hours took from
    /// the cash balance. One SUM per month, in the database.
    /// </summary>
    public async Task<IReadOnlyList<MonthlySpending>> Spending(long accountId, int months, DateTimeOffset now, CancellationToken ct)
    {
        var thisMonth = BusinessCalendar.LocalDate(now);
        var first = new NodaTime.LocalDate(thisMonth.Year, thisMonth.Month, 1).PlusMonths(-(months - 1));
        var result = new List<MonthlySpending>(months);
        var cash = await CashAccount(accountId, ct);
        for (var i = 0; i < months; i++)
        {
            var month = first.PlusMonths(i);
            if (cash is null)
            {
                result.Add(new MonthlySpending(month.Year, month.Month, Money.Zero));
                continue;
            }
            var from = BusinessCalendar.StartOfDay(month);
            var to = BusinessCalendar.StartOfDay(month.PlusMonths(1));
            var spent = await Postings(accountId, cash.Value.Id)
                .Where(r => r.PostedAt >= from && r.PostedAt < to && (r.BusinessKey.StartsWith(OrderKey) || r.BusinessKey.StartsWith(PayAsYouGoKey)))
                .SumAsync(r => (long?)r.AmountFen, ct) ?? 0;
            // Consumption is a debit (negative); a month's spending reads as a positive amount.
            result.Add(new MonthlySpending(month.Year, month.Month, new Money(-spent)));
        }
        return result;
    }

    public static StatementKind KindOf(string key, long amountFen)
    {
        if (key.StartsWith(AlipayKey, StringComparison.Ordinal) || key.StartsWith(UnionPayKey, StringComparison.Ordinal))
            return StatementKind.Payment;
        if (key.StartsWith(OrderKey, StringComparison.Ordinal) || key.StartsWith(PayAsYouGoKey, StringComparison.Ordinal))
            return StatementKind.Consumption;
        if (key.StartsWith(AdjustKey, StringComparison.Ordinal) || key.StartsWith(StaffAdjustKey, StringComparison.Ordinal))
            return StatementKind.Adjust;
        return amountFen > 0 ? StatementKind.Refund : StatementKind.Transfer;
    }

    /// <summary>The gateway of a payment, from its business key; null for anything else.</summary>
    public static string? GatewayOf(string key) =>
        key.StartsWith(AlipayKey, StringComparison.Ordinal) ? "Alipay" : key.StartsWith(UnionPayKey, StringComparison.Ordinal) ? "UnionPay" : null;

    private async Task<(long Id, long BalanceFen)?> CashAccount(long accountId, CancellationToken ct)
    {
        var cash = await db.LedgerAccounts.Where(a => a.BillingAccountId == accountId && a.Kind == LedgerAccountKind.CustomerCash)
            .Select(a => new { a.Id, a.BalanceFen }).FirstOrDefaultAsync(ct);
        return cash is null ? null : (cash.Id, cash.BalanceFen);
    }

    private IQueryable<PostingRow> Postings(long accountId, long cashId) =>
        db.Postings.AsNoTracking().Where(p => p.LedgerAccountId == cashId && p.BillingAccountId == accountId)
            .Join(db.JournalTransactions, p => p.TransactionId, t => t.Id,
                (p, t) => new PostingRow { Id = p.Id, AmountFen = p.AmountFen, BusinessKey = t.BusinessKey, Description = t.Description, PostedAt = t.PostedAt, TransactionId = t.Id });

    private sealed class PostingRow
    {
        public long Id { get; init; }
        public long AmountFen { get; init; }
        public required string BusinessKey { get; init; }
        public required string Description { get; init; }
        public DateTimeOffset PostedAt { get; init; }
        public long TransactionId { get; init; }
    }
}
