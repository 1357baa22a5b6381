namespace Cloudbill.Core.Ledger;

/// <summary>What a ledger account holds. Customer accounts carry their billing account id.</summary>
public enum LedgerAccountKind
{
    /// <summary>A customer's cash balance: positive is money Cloudbill holds for the customer.</summary>
    CustomerCash,

    /// <summary>What a customer owes (R7, R8): negative while overdue; the overdue amount is its negation.</summary>
    CustomerOverdue,

    Revenue,
    CouponExpense,
    AlipayClearing,
    UnionPayClearing,

    /// <summary>Money the operator grants or takes by hand (opening balances, demo data, corrections).</summary>
    OperatorAdjustments,
}

public sealed class LedgerAccount
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public LedgerAccountKind Kind { get; set; }
    public long? BillingAccountId { get; set; }

    /// <summary>
    /// Customer accounts: the running sum of the account's postings in fen, kept for fast reads;
    /// `reconcile` proves it. Shared accounts keep 0 here and are summed when needed.
    /// </summary>
    public long BalanceFen { get; set; }

    public Money Balance => new(BalanceFen);
}

/// <summary>R10.1: a balanced set of postings, appended once under a unique business key (R10.3).</summary>
public sealed class JournalTransaction
{
    public long Id { get; set; }
    public required string BusinessKey { get; set; }
    public required string Description { get; set; }
    public DateTimeOffset PostedAt { get; set; }
    public List<Posting> Postings { get; set; } = [];
}

public sealed class Posting
{
    public long Id { get; set; }
    public long TransactionId { get; set; }
    public long LedgerAccountId { get; set; }

    /// <summary>The customer the posting concerns, when it is a customer account: keeps rows distributable by account.</summary>
    public long? BillingAccountId { get; set; }

    /// <summary>Fen, signed: the database sums these directly.</summary>
    public long AmountFen { get; set; }

    public Money Amount => new(AmountFen);
}
