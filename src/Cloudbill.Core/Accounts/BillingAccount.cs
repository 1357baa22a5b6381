using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Accounts;

/// <summary>
/// The account a customer is billed on. Money held for it (cash, overdue) lives in the ledger;
/// the account keeps only its limits. R7.1: Available Credit = cash + credit line − overdue.
/// </summary>
public sealed class BillingAccount : IVersioned
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public Money CreditLine { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// R8.2: when the current overdue episode began (the hourly charge the balance could not
    /// cover); null when the account is not overdue. Pay-as-you-go instances stop a configured
    /// number of days after it; settling the overdue amount in full clears it.
    /// </summary>
    public DateTimeOffset? OverdueSince { get; set; }

    /// <summary>The provider's own id of an imported customer (unique when set); null for customers who signed up here.</summary>
    public string? ExternalId { get; set; }

    /// <summary>The customer's name as the provider's import gave it; null for customers who signed up here.</summary>
    public string? Name { get; set; }

    public long Version { get; set; }
}

/// <summary>What the Costs page and QueryAccountBalance show.</summary>
public sealed record AccountBalance(Money Cash, Money CreditLine, Money Overdue)
{
    /// <summary>R7.1; it can be negative.</summary>
    public Money AvailableCredit => Cash + CreditLine - Overdue;
}
