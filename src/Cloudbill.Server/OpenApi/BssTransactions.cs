using System.Globalization;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.OpenApi;

public sealed record BssTransactionFilter(DateTimeOffset? From, DateTimeOffset? To, string? Flow, string? Type, string? Number, int Page, int PageSize);

public sealed record BssTransactionRow(string AccountName, object Json);

/// <summary>
/// QueryAccountTransactions: the caller's cash statement (<see cref="AccountStatement"/>, which
/// the app's Transactions page reads too) in the API's names: a gateway payment received
/// (Payment), an order or an hour of pay-as-you-go paid (Consumption), an operator's adjustment
/// (Adjust); other credits are refunds, other debits transfers (the overdue settled).
/// </summary>
public sealed class BssTransactions(AccountStatement statement, CloudbillDbContext db)
{
    public async Task<(IReadOnlyList<BssTransactionRow> Rows, int Total)> List(long accountId, BssTransactionFilter filter, CancellationToken ct)
    {
        long? number = null;
        if (filter.Number is { } text)
        {
            // A number that is not a posting id matches nothing, as an unknown one would.
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return ([], 0);
            number = id;
        }
        StatementKind? kind = null;
        if (filter.Type is { } type)
        {
            // Withdraw is a valid API type that Cloudbill never records.
            if (!Enum.TryParse<StatementKind>(type, out var parsed))
                return ([], 0);
            kind = parsed;
        }
        var income = filter.Flow switch { "Income" => true, "Expense" => (bool?)false, _ => null };

        var page = await statement.List(accountId, new StatementFilter(filter.From, filter.To, income, kind, number, filter.Page, filter.PageSize), ct);
        if (page.Lines.Count == 0)
            return ([], page.Total);
        var email = await db.BillingAccounts.Where(a => a.Id == accountId).Select(a => a.Email).FirstAsync(ct);
        var rows = page.Lines.Select(l => new BssTransactionRow(email, new
        {
            TransactionNumber = l.PostingId.ToString(CultureInfo.InvariantCulture),
            RecordID = l.TransactionId.ToString(CultureInfo.InvariantCulture),
            TransactionTime = BssActions.Time(l.PostedAt),
            TransactionFlow = l.Amount.IsNegative ? "Expense" : "Income",
            TransactionType = l.Kind.ToString(),
            TransactionChannel = Channel(l),
            TransactionChannelSN = l.BusinessKey,
            FundType = "Cash",
            Amount = (l.Amount.IsNegative ? -l.Amount : l.Amount).ToString(),
            Balance = l.BalanceAfter.ToString(),
            BillingCycle = Core.Time.BusinessCalendar.ToLocal(l.PostedAt).ToString("yyyy-MM", CultureInfo.InvariantCulture),
            Remarks = l.Description,
            TransactionAccount = email,
        })).ToList();
        return (rows, page.Total);
    }

    private static string Channel(StatementLine line) => line.Kind switch
    {
        StatementKind.Payment => AccountStatement.GatewayOf(line.BusinessKey) ?? "AccountBalance",
        StatementKind.Adjust => "OfflineRemittance",
        _ => "AccountBalance",
    };
}
