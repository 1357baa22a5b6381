using System.Globalization;
using System.Text;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

public enum OverviewPeriod
{
    Today,
    ThisMonth,
}

public enum OverviewFigure
{
    TopUps,
    Renewals,
    Purchases,
    Refunds,
    AutoRenewalFailures,
    OverdueAccounts,
    UnconfirmedPayments,
}

/// <summary>One figure of the overview: how many rows are behind it and what they add up to.</summary>
public sealed record OverviewTotal(OverviewFigure Figure, int Count, Money Amount);

/// <summary>A row behind a figure: when, whose, what (an order, a trade number, an instance) and how much.</summary>
public sealed record OverviewRow(DateTimeOffset At, long AccountId, string Reference, string Detail, Money Amount);

public sealed record OverviewSummary(OverviewPeriod Period, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<OverviewTotal> Totals, IReadOnlyDictionary<string, int> FailureReasons);

/// <summary>
/// The finance role's overview: today's or this month's (Asia/Shanghai) top-ups, renewals,
/// purchases and refunds, failed auto-renewals and their reasons, and, whatever the period, the
/// accounts overdue now and the gateway payments not confirmed yet. Every figure is the sum of its
/// rows (<see cref="Rows"/>), which the console lists and exports as CSV; each query reads one
/// index range, so the page costs the same on a large database as on the demo.
/// </summary>
public sealed class FinanceOverview(CloudbillDbContext db, EngineHistory engine, TimeProvider clock)
{
    /// <summary>The most rows a figure lists or exports; a figure with more says so.</summary>
    public const int MaxRows = 100_000;

    public (DateTimeOffset From, DateTimeOffset To) Range(OverviewPeriod period)
    {
        var today = BusinessCalendar.LocalDate(clock.GetUtcNow());
        var from = period == OverviewPeriod.Today ? today : today.With(NodaTime.DateAdjusters.StartOfMonth);
        var to = period == OverviewPeriod.Today ? today.PlusDays(1) : from.PlusMonths(1);
        return (BusinessCalendar.StartOfDay(from), BusinessCalendar.StartOfDay(to));
    }

    public async Task<OverviewSummary> Summary(OverviewPeriod period, CancellationToken ct)
    {
        var (from, to) = Range(period);
        var totals = new List<OverviewTotal>();
        foreach (var figure in Enum.GetValues<OverviewFigure>())
        {
            var rows = await Rows(figure, period, ct);
            totals.Add(new OverviewTotal(figure, rows.Count, rows.Aggregate(Money.Zero, (sum, r) => sum + r.Amount)));
        }
        var reasons = (await engine.FailedAutoRenewals(from, to, ct)).GroupBy(f => f.Reason)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new OverviewSummary(period, from, to, totals, reasons);
    }

    /// <summary>The rows behind one figure, oldest first.</summary>
    public async Task<IReadOnlyList<OverviewRow>> Rows(OverviewFigure figure, OverviewPeriod period, CancellationToken ct)
    {
        var (start, end) = Range(period);
        switch (figure)
        {
            case OverviewFigure.TopUps:
                return (await db.GatewayPayments.AsNoTracking()
                        .Where(p => p.ConfirmedAt >= start && p.ConfirmedAt < end && p.Purpose == GatewayPaymentPurpose.TopUp
                            // Credited, also when staff sent it back later (a refund is its own figure): its refund number ends "S1" (GatewayRefunds).
                            && (p.State == GatewayPaymentState.Credited || (p.State != GatewayPaymentState.Pending && p.State != GatewayPaymentState.Closed && p.RefundRequestNo == p.OutTradeNo + "S1")))
                        .OrderBy(p => p.ConfirmedAt).ThenBy(p => p.Id).Take(MaxRows)
                        .Select(p => new { p.ConfirmedAt, p.AccountId, p.OutTradeNo, p.Gateway, p.GatewayTradeNo, p.Amount }).ToListAsync(ct))
                    .Select(p => new OverviewRow(p.ConfirmedAt!.Value, p.AccountId, p.OutTradeNo, $"{p.Gateway} {p.GatewayTradeNo}", p.Amount)).ToList();
            case OverviewFigure.Renewals or OverviewFigure.Purchases:
                var type = figure == OverviewFigure.Renewals ? OrderType.Renew : OrderType.New;
                return (await db.Orders.AsNoTracking()
                        .Where(o => o.PaidAt >= start && o.PaidAt < end && o.Status == OrderStatus.Paid && o.Type == type)
                        .OrderBy(o => o.PaidAt).ThenBy(o => o.Id).Take(MaxRows)
                        .Select(o => new { o.PaidAt, o.AccountId, o.Id, o.ProductCode, o.PaidWith, o.Payable }).ToListAsync(ct))
                    .Select(o => new OverviewRow(o.PaidAt!.Value, o.AccountId, $"order {o.Id}", $"{o.ProductCode}, {o.PaidWith}", o.Payable)).ToList();
            case OverviewFigure.Refunds:
                // What went back to customers, each refund once: to the balance (its cash posting: an
                // instance the cloud could not create, a staff refund), to a gateway (its clearing
                // posting: an order's price or a top-up sent back), and refused channels, which were
                // never credited (the payment itself).
                var clearings = new[] { LedgerAccountKind.AlipayClearing, LedgerAccountKind.UnionPayClearing };
                var posted = await (from t in db.JournalTransactions.AsNoTracking()
                                    where t.PostedAt >= start && t.PostedAt < end
                                        && (t.BusinessKey.Contains(":refund:") || t.BusinessKey.Contains(":staff-refund:") || t.BusinessKey.EndsWith(":refund"))
                                    join p in db.Postings on t.Id equals p.TransactionId
                                    join a in db.LedgerAccounts on p.LedgerAccountId equals a.Id
                                    where (a.Kind == LedgerAccountKind.CustomerCash && p.AmountFen > 0 && !t.BusinessKey.EndsWith(":refund"))
                                        || (clearings.Contains(a.Kind) && t.BusinessKey.EndsWith(":refund"))
                                    orderby t.PostedAt, t.Id
                                    select new { t.PostedAt, t.BusinessKey, t.Description, p.BillingAccountId, p.AmountFen }).Take(MaxRows).ToListAsync(ct);
                // The customer of a gateway refund is the payment's ("alipay:{trade}:refund"): an order's price goes from revenue, not from their cash.
                var trades = posted.Where(r => r.BillingAccountId is null).Select(r => r.BusinessKey.Split(':')[1]).ToList();
                var payers = await db.GatewayPayments.AsNoTracking().Where(p => trades.Contains(p.OutTradeNo))
                    .ToDictionaryAsync(p => p.OutTradeNo, p => p.AccountId, ct);
                var refused = await db.GatewayPayments.AsNoTracking()
                    .Where(p => p.ConfirmedAt >= start && p.ConfirmedAt < end && (p.State == GatewayPaymentState.Refunding || p.State == GatewayPaymentState.Refunded)
                        && p.RefundRequestNo != p.OutTradeNo + "S1")
                    .OrderBy(p => p.ConfirmedAt).Take(MaxRows)
                    .Select(p => new { p.ConfirmedAt, p.AccountId, p.OutTradeNo, p.Gateway, p.State, p.Amount }).ToListAsync(ct);
                return posted.Select(r => new OverviewRow(r.PostedAt, r.BillingAccountId ?? payers.GetValueOrDefault(r.BusinessKey.Split(':')[1]), r.BusinessKey, r.Description, new Money(r.AmountFen)))
                    .Concat(refused.Select(p => new OverviewRow(p.ConfirmedAt!.Value, p.AccountId, p.OutTradeNo, $"{p.Gateway} refund of a refused channel, {p.State}", p.Amount)))
                    .OrderBy(r => r.At).ToList();
            case OverviewFigure.AutoRenewalFailures:
                return (await engine.FailedAutoRenewals(start, end, ct)).Take(MaxRows)
                    .Select(f => new OverviewRow(f.DoneAt, f.AccountId, f.InstanceId ?? "", f.Outcome, Money.Zero)).ToList();
            case OverviewFigure.OverdueAccounts:
                // Now, whatever the period: the overdue amount is the negated balance of the account's overdue ledger account.
                return (await (from b in db.BillingAccounts.AsNoTracking()
                               where b.OverdueSince != null
                               join a in db.LedgerAccounts on b.Id equals a.BillingAccountId
                               where a.Kind == LedgerAccountKind.CustomerOverdue
                               orderby b.OverdueSince, b.Id
                               select new { b.OverdueSince, b.Id, b.Email, a.BalanceFen }).Take(MaxRows).ToListAsync(ct))
                    .Select(o => new OverviewRow(o.OverdueSince!.Value, o.Id, o.Email, "overdue since", new Money(-o.BalanceFen))).ToList();
            default:
                return (await db.GatewayPayments.AsNoTracking()
                        .Where(p => p.State == GatewayPaymentState.Pending)
                        .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(MaxRows)
                        .Select(p => new { p.CreatedAt, p.AccountId, p.OutTradeNo, p.Gateway, p.Purpose, p.PayBy, p.Flag, p.Amount }).ToListAsync(ct))
                    .Select(p => new OverviewRow(p.CreatedAt, p.AccountId, p.OutTradeNo,
                        $"{p.Gateway} {p.Purpose}, pay by {BusinessCalendar.FormatDateTime(p.PayBy)}{(p.Flag is { } flag ? "; " + flag : "")}", p.Amount)).ToList();
        }
    }

    /// <summary>The rows as CSV (RFC 4180, UTF-8): time (Asia/Shanghai), account, reference, detail, amount in CNY.</summary>
    public static string Csv(IEnumerable<OverviewRow> rows)
    {
        var csv = new StringBuilder("time,account_id,reference,detail,amount_cny\r\n");
        foreach (var r in rows)
        {
            csv.Append(BusinessCalendar.FormatDateTime(r.At)).Append(',')
                .Append(r.AccountId.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(r.Reference)).Append(',')
                .Append(Field(r.Detail)).Append(',')
                .Append(r.Amount.ToString()).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>Quoted when it must be; a leading =, +, - or @ is prefixed so a spreadsheet does not run it as a formula.</summary>
    private static string Field(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
            text = "'" + text;
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
