using Cloudbill.Core.Audit;

namespace Cloudbill.Core.Ledger;

/// <summary>The audit rows of journal transactions (docs/decisions/0027): here, because Audit sits below Ledger.</summary>
public static class LedgerAuditing
{
    /// <summary>
    /// The row of a journal transaction that moves a customer's money, or null when it moves only
    /// shared accounts' money: the business key (which names the order, trade or instance) and
    /// the customer's change.
    /// </summary>
    public static AuditEvent? OfTransaction(this AuditLog audit, JournalTransaction transaction, AuditEventKind? kind = null)
    {
        var customer = transaction.Postings.Where(p => p.BillingAccountId is not null).ToList();
        if (customer.Count == 0)
            return null;
        var net = new Money(customer.Sum(p => p.AmountFen));
        var detail = net.IsZero
            ? $"{transaction.BusinessKey}: {new Money(customer.Where(p => p.AmountFen > 0).Sum(p => p.AmountFen))} CNY moved between the account's cash and overdue"
            : $"{transaction.BusinessKey}: {(net.IsPositive ? "+" : "")}{net} CNY";
        return audit.New(kind ?? KindOf(transaction.BusinessKey), customer[0].BillingAccountId, detail);
    }

    /// <summary>Adds the rows of the transactions that move a customer's money to the caller's unit of work (see <see cref="OfTransaction"/>).</summary>
    public static IReadOnlyList<AuditEvent> AddTransactions(this AuditLog audit, IEnumerable<JournalTransaction> transactions, AuditEventKind? kind = null)
    {
        var rows = transactions.Select(t => audit.OfTransaction(t, kind)).OfType<AuditEvent>().ToList();
        audit.Db.AuditEvents.AddRange(rows);
        return rows;
    }

    /// <summary>What a journal transaction is, from its business key (each money path has its own, R10.3).</summary>
    public static AuditEventKind KindOf(string businessKey) => businessKey switch
    {
        _ when businessKey.StartsWith("order:", StringComparison.Ordinal) => AuditEventKind.OrderPaid,
        _ when businessKey.StartsWith("payg:", StringComparison.Ordinal) => AuditEventKind.PayAsYouGoCharged,
        _ when businessKey.StartsWith("opening-balance:", StringComparison.Ordinal) => AuditEventKind.OpeningBalance,
        // Staff's adjustment: its key ends in a client token, which must not read as ":settle" or ":received".
        _ when businessKey.StartsWith("adjustment:", StringComparison.Ordinal) => AuditEventKind.BalanceChanged,
        _ when businessKey.StartsWith("overdue:", StringComparison.Ordinal) || businessKey.EndsWith(":settle", StringComparison.Ordinal) => AuditEventKind.OverdueSettled,
        _ when businessKey.EndsWith(":received", StringComparison.Ordinal) => AuditEventKind.GatewayPaymentReceived,
        _ => AuditEventKind.BalanceChanged,
    };
}
