using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Orders;

/// <summary>Why a charge against the balance was refused.</summary>
public enum ChargeRefusalKind
{
    /// <summary>R7.4: nothing that costs money while the account is overdue.</summary>
    Overdue,

    /// <summary>R7.1: Available Credit does not cover the payable.</summary>
    InsufficientCredit,

    /// <summary>R3.5: the renewed instance was released.</summary>
    Released,

    /// <summary>R3.5: the renewed instance's product is not renewable here.</summary>
    NotRenewable,

    /// <summary>R4.5: another renewal moved the instance's expiry after the order was placed; that cycle is paid.</summary>
    RenewedMeanwhile,
}

/// <summary>
/// A refused charge: the problem a customer's request answers with, and the same reason as a
/// code and its figures for a notice, rendered in the reader's language (docs/decisions/0030).
/// </summary>
public sealed record ChargeRefusal(ChargeRefusalKind Kind, Problem Problem, RefusalReason Reason);

/// <summary>The decision on one charge against the balance: approved, or refused with why.</summary>
public readonly record struct ChargeDecision(ChargeRefusal? Refusal)
{
    public static readonly ChargeDecision Approved = new(null);

    public bool IsApproved => Refusal is null;
}

/// <summary>An hourly charge in arrears (R8.2): the part Available Credit covers and the part that becomes overdue.</summary>
public readonly record struct MeteredCharge(Money Covered, Money Shortfall);

/// <summary>
/// The rules of a charge against a customer's balance (docs/decisions/0017): R7.4, R7.1, R3.5 and
/// R8.2, as pure functions of the balance, the instances and the time. A prepaid charge asks them
/// through its <see cref="PaymentPlan"/> (docs/decisions/0028), whoever pays: Renew Now, an order
/// paid from the balance or a gateway, the engine's auto-renewal; the hourly pay-as-you-go
/// charges ask <see cref="Meter"/>.
/// </summary>
public static class BalanceCharges
{
    /// <summary>R7.4: while the account is overdue nothing that costs money is allowed; null when it is not overdue.</summary>
    public static ChargeRefusal? Overdue(AccountBalance balance) =>
        balance.Overdue.IsPositive
            ? new ChargeRefusal(ChargeRefusalKind.Overdue, OrderErrors.Overdue(balance.Overdue), RefusalReason.Overdue(balance.Overdue))
            : null;

    /// <summary>R3.5 and R1.4: a renewed instance still exists and its product is renewable here; null when it may be renewed.</summary>
    public static ChargeRefusal? Renewable(Instance instance, Product product, DateTimeOffset now)
    {
        if (instance.ReleasedAt is not null || InstanceLifecycle.StateAt(instance, product.Lifecycle, now).Status == InstanceStatus.Released)
            return new ChargeRefusal(ChargeRefusalKind.Released, OrderErrors.Released(instance, product),
                RefusalReason.Released(instance.Id, instance.ReleasedAt ?? InstanceLifecycle.ReleasesAt(instance.ExpiresAt!.Value, product.Lifecycle)));
        if (!product.Renewable)
            return new ChargeRefusal(ChargeRefusalKind.NotRenewable, OrderErrors.NotRenewable(product), RefusalReason.NotRenewable(product.Code));
        return null;
    }

    /// <summary>
    /// Decides a prepaid charge of <paramref name="payable"/> from the balance, in this order: R7.4
    /// (not overdue), R7.1 (Available Credit covers it; a charge a coupon pays in full needs no
    /// credit), then R3.5 for each renewed instance.
    /// </summary>
    /// <param name="what">How a refusal names the charge: "Order 12", "This renewal".</param>
    public static ChargeDecision Decide(AccountBalance balance, Money payable, string what, IEnumerable<(Instance Instance, Product Product)> renewed, DateTimeOffset now)
    {
        if (Overdue(balance) is { } overdue)
            return new ChargeDecision(overdue);
        if (payable.IsPositive && balance.AvailableCredit < payable)
            return new ChargeDecision(new ChargeRefusal(ChargeRefusalKind.InsufficientCredit, OrderErrors.InsufficientCredit(what, payable, balance.AvailableCredit),
                RefusalReason.InsufficientCredit(payable, balance.AvailableCredit)));
        foreach (var (instance, product) in renewed)
        {
            if (Renewable(instance, product, now) is { } refusal)
                return new ChargeDecision(refusal);
        }
        return ChargeDecision.Approved;
    }

    /// <summary>
    /// R8.2 and R7.1: an hourly charge is never refused (it is for an hour already used):
    /// Available Credit (cash, then the credit line) pays what it can; the rest becomes overdue.
    /// </summary>
    public static MeteredCharge Meter(AccountBalance balance, Money amount)
    {
        var covered = Money.Max(Money.Zero, Money.Min(amount, balance.AvailableCredit));
        return new MeteredCharge(covered, amount - covered);
    }
}
