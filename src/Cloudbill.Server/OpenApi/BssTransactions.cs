using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.OpenApi;

public sealed record BssTransactionFilter(DateTimeOffset? From, DateTimeOffset? To, string? Flow, string? Type, string? Number, int Page, int PageSize);

public sealed record BssTransactionRow(string AccountName, object Json);

/// <summary>
/// QueryAccountTransactions: the postings on the caller's cash account, newest first, each with
/// the balance after it. The ledger's business keys tell what a posting was: a gateway payment
/// received (Payment), an order or an hour of pay-as-you-go paid (Consumption), an operator's
/// adjustment (Adjust); other credits are refunds, other debits transfers (the overdue settled).
/// </summary>
public sealed class BssTransactions(CloudbillDbContext db)
{
    private static readonly string[] PaymentKeys = ["alipay:", "unionpay:"];
    private static readonly string[] ConsumptionKeys = ["order:", "payg:"];
    private const string AdjustKey = "opening-balance:";

    public async Task<(IReadOnlyList<BssTransactionRow> Rows, int Total)> List(long accountId, BssTransactionFilter filter, CancellationToken ct)
    {
        var email = await db.BillingAccounts.Where(a => a.Id == accountId).Select(a => a.Email).FirstAsync(ct);
        var cash = await db.LedgerAccounts.Where(a => a.BillingAccountId == accountId && a.Kind == LedgerAccountKind.CustomerCash)
            .Select(a => new { a.Id, a.BalanceFen }).FirstOrDefaultAsync(ct);
        if (cash is null)
            return ([], 0);

        var query = db.Postings.AsNoTracking().Where(p => p.LedgerAccountId == cash.Id && p.BillingAccountId == accountId)
            .Join(db.JournalTransactions, p => p.TransactionId, t => t.Id, (p, t) => new { p.Id, p.AmountFen, t.BusinessKey, t.Description, t.PostedAt, TransactionId = t.Id });
        if (filter.From is { } from)
            query = query.Where(r => r.PostedAt >= from);
        if (filter.To is { } to)
            query = query.Where(r => r.PostedAt < to);
        if (filter.Flow == "Income")
            query = query.Where(r => r.AmountFen > 0);
        if (filter.Flow == "Expense")
            query = query.Where(r => r.AmountFen < 0);
        if (filter.Number is { } number && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            query = query.Where(r => r.Id == id);
        else if (filter.Number is not null)
            return ([], 0);
        query = filter.Type switch
        {
            null => query,
            "Payment" => query.Where(r => r.BusinessKey.StartsWith(PaymentKeys[0]) || r.BusinessKey.StartsWith(PaymentKeys[1])),
            "Consumption" => query.Where(r => r.BusinessKey.StartsWith(ConsumptionKeys[0]) || r.BusinessKey.StartsWith(ConsumptionKeys[1])),
            "Adjust" => query.Where(r => r.BusinessKey.StartsWith(AdjustKey)),
            "Refund" or "Transfer" => query.Where(r => !r.BusinessKey.StartsWith(PaymentKeys[0]) && !r.BusinessKey.StartsWith(PaymentKeys[1])
                && !r.BusinessKey.StartsWith(ConsumptionKeys[0]) && !r.BusinessKey.StartsWith(ConsumptionKeys[1]) && !r.BusinessKey.StartsWith(AdjustKey)
                && (filter.Type == "Refund" ? r.AmountFen > 0 : r.AmountFen < 0)),
            _ => query.Where(_ => false),
        };

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.Id).Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToListAsync(ct);
        if (rows.Count == 0)
            return ([], total);

        // The balance after each posting: today's balance less everything posted after it.
        var newer = await db.Postings.Where(p => p.LedgerAccountId == cash.Id && p.Id > rows[0].Id).SumAsync(p => (long?)p.AmountFen, ct) ?? 0;
        var after = cash.BalanceFen - newer;
        var result = new List<BssTransactionRow>(rows.Count);
        foreach (var r in rows)
        {
            var (type, channel) = Classify(r.BusinessKey, r.AmountFen);
            result.Add(new BssTransactionRow(email, new
            {
                TransactionNumber = r.Id.ToString(CultureInfo.InvariantCulture),
                RecordID = r.TransactionId.ToString(CultureInfo.InvariantCulture),
                TransactionTime = BssActions.Time(r.PostedAt),
                TransactionFlow = r.AmountFen >= 0 ? "Income" : "Expense",
                TransactionType = type,
                TransactionChannel = channel,
                TransactionChannelSN = r.BusinessKey,
                FundType = "Cash",
                Amount = new Money(Math.Abs(r.AmountFen)).ToString(),
                Balance = new Money(after).ToString(),
                BillingCycle = Core.Time.BusinessCalendar.ToLocal(r.PostedAt).ToString("yyyy-MM", CultureInfo.InvariantCulture),
                Remarks = r.Description,
                TransactionAccount = email,
            }));
            after -= r.AmountFen;
        }
        return (result, total);
    }

    private static (string Type, string Channel) Classify(string key, long amount)
    {
        if (key.StartsWith(PaymentKeys[0], StringComparison.Ordinal))
            return ("Payment", "Alipay");
        if (key.StartsWith(PaymentKeys[1], StringComparison.Ordinal))
            return ("Payment", "UnionPay");
        if (ConsumptionKeys.Any(k => key.StartsWith(k, StringComparison.Ordinal)))
            return ("Consumption", "AccountBalance");
        if (key.StartsWith(AdjustKey, StringComparison.Ordinal))
            return ("Adjust", "OfflineRemittance");
        return (amount > 0 ? "Refund" : "Transfer", "AccountBalance");
    }
}
