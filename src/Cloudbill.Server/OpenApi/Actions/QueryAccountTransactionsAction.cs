using System.Globalization;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryAccountTransactionsRequest(
    DateTimeOffset? CreateTimeStart, DateTimeOffset? CreateTimeEnd, string? TransactionFlow, string? TransactionType, string? TransactionNumber, int PageNum, int PageSize);

public sealed record QueryAccountTransactionsAnswer(string AccountName, int PageNum, int PageSize, int TotalCount, BssTransactionList AccountTransactionsList);

/// <summary>The SDK's `AccountTransactionsList.AccountTransactionsList` wrapper.</summary>
public sealed record BssTransactionList(IReadOnlyList<BssTransaction> AccountTransactionsList);

public sealed record BssTransaction(
    string TransactionNumber, string RecordID, string? TransactionTime, string TransactionFlow, string TransactionType, string TransactionChannel,
    string? TransactionChannelSN, string FundType, string Amount, string Balance, string BillingCycle, string? Remarks, string TransactionAccount);

/// <summary>
/// QueryAccountTransactions: the caller's cash statement (<see cref="AccountStatement"/>, which
/// the app's Transactions page reads too) in the API's names: a gateway payment received
/// (Payment), an order or an hour of pay-as-you-go paid (Consumption), an operator's adjustment
/// (Adjust); other credits are refunds, other debits transfers (the overdue settled).
/// </summary>
public sealed class QueryAccountTransactionsAction(AccountStatement statement, CloudbillDbContext db) : BssAction<QueryAccountTransactionsRequest, QueryAccountTransactionsAnswer>
{
    protected override QueryAccountTransactionsRequest Bind(BssParameters p) => new(
        p.Time("CreateTimeStart"),
        p.EndTime("CreateTimeEnd"),
        p.OneOf("TransactionFlow", "Income", "Expense"),
        p.OneOf("TransactionType", "Payment", "Withdraw", "Refund", "Consumption", "Transfer", "Adjust"),
        p.Text("TransactionNumber") ?? p.Text("RecordID"),
        p.Int("PageNum", 1) ?? 1,
        p.Int("PageSize", 1, 300) ?? 10);

    protected override async Task<BssResult<QueryAccountTransactionsAnswer>> Handle(BssCaller caller, QueryAccountTransactionsRequest r, CancellationToken ct)
    {
        QueryAccountTransactionsAnswer None(int total) => new("", r.PageNum, r.PageSize, total, new BssTransactionList([]));
        long? number = null;
        if (r.TransactionNumber is { } text)
        {
            // A number that is not a posting id matches nothing, as an unknown one would.
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return None(0);
            number = id;
        }
        StatementKind? kind = null;
        if (r.TransactionType is { } type)
        {
            // Withdraw is a valid API type that Cloudbill never records.
            if (!Enum.TryParse<StatementKind>(type, out var parsed))
                return None(0);
            kind = parsed;
        }
        var income = r.TransactionFlow switch { "Income" => true, "Expense" => (bool?)false, _ => null };

        var page = await statement.List(caller.AccountId, new StatementFilter(r.CreateTimeStart, r.CreateTimeEnd, income, kind, number, r.PageNum, r.PageSize), ct);
        if (page.Lines.Count == 0)
            return None(page.Total);
        var email = await db.BillingAccounts.Where(a => a.Id == caller.AccountId).Select(a => a.Email).FirstAsync(ct);
        var rows = page.Lines.Select(l => new BssTransaction(
            TransactionNumber: BssFormat.Id(l.PostingId),
            RecordID: BssFormat.Id(l.TransactionId),
            TransactionTime: BssFormat.Time(l.PostedAt),
            TransactionFlow: l.Amount.IsNegative ? "Expense" : "Income",
            TransactionType: l.Kind.ToString(),
            TransactionChannel: Channel(l),
            TransactionChannelSN: l.BusinessKey,
            FundType: "Cash",
            Amount: (l.Amount.IsNegative ? -l.Amount : l.Amount).ToString(),
            Balance: l.BalanceAfter.ToString(),
            BillingCycle: Core.Time.BusinessCalendar.ToLocal(l.PostedAt).ToString("yyyy-MM", CultureInfo.InvariantCulture),
            Remarks: l.Description,
            TransactionAccount: email)).ToList();
        return new QueryAccountTransactionsAnswer(email, r.PageNum, r.PageSize, page.Total, new BssTransactionList(rows));
    }

    private static string Channel(StatementLine line) => line.Kind switch
    {
        StatementKind.Payment => AccountStatement.GatewayOf(line.BusinessKey) ?? "AccountBalance",
        StatementKind.Adjust => "OfflineRemittance",
        _ => "AccountBalance",
    };
}
