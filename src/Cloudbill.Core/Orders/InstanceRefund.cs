using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Webhooks;

namespace Cloudbill.Core.Orders;

/// <summary>
/// What the refund of one instance of a paid New order gives back (docs/decisions/0032), decided
/// as a pure function before anything is written: the instance's share of the order's price
/// (<see cref="Amount"/>, before the coupon), of the coupon (<see cref="CouponShare"/>) and of
/// what the customer paid (<see cref="Cash"/> = amount − coupon share). The shares of all the
/// order's instances add up to the order's figures exactly, to the fen.
/// </summary>
public sealed record InstanceRefund(Order Order, string InstanceId, Money Amount, Money CouponShare, string Reason, DateTimeOffset Now)
{
    public Money Cash => Amount - CouponShare;

    /// <summary>R10.3: one refund per instance; a repeat posts nothing.</summary>
    public string RefundKey => $"order:{Order.Id}:refund:{InstanceId}";

    public string Description => $"Refund of instance {InstanceId} of order {Order.Id}: the provider could not create it";

    /// <summary>
    /// The share of <paramref name="instanceId"/> among <paramref name="created"/>, the instances
    /// the order made. Each line's amount (after the period discount) is split evenly over its
    /// quantity and the line's last instance takes the remainder; the coupon is split in proportion
    /// to those amounts (rounded down) and the order's last instance takes its remainder. A line's
    /// instances are the order's instances of its spec and region, by id, in line order.
    /// </summary>
    public static InstanceRefund For(Order order, IReadOnlyList<Instance> created, string instanceId, string reason, DateTimeOffset now)
    {
        if (order.Type != OrderType.New || order.Status != OrderStatus.Paid)
            throw new InvalidOperationException($"Order {order.Id} is a {order.Status} {order.Type} order; only a paid New order's instances are refunded.");
        var slots = new List<(string Id, long AmountFen)>();
        var left = created.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        foreach (var line in order.Lines.OrderBy(l => l.Id))
        {
            var mine = left.Where(i => i.SpecCode == line.SpecCode && i.RegionId == line.RegionId).Take(line.Quantity).ToList();
            if (mine.Count != line.Quantity)
                throw new InvalidOperationException($"Order {order.Id} line {line.Id} made {line.Quantity} instances; {mine.Count} were found.");
            left.RemoveAll(mine.Contains);
            var each = line.Amount.Fen / line.Quantity;
            for (var n = 0; n < mine.Count; n++)
                slots.Add((mine[n].Id, n == mine.Count - 1 ? line.Amount.Fen - each * (line.Quantity - 1) : each));
        }

        var total = slots.Sum(s => s.AmountFen);
        var coupon = order.CouponDeduction.Fen;
        long couponGiven = 0;
        for (var n = 0; n < slots.Count; n++)
        {
            var share = n == slots.Count - 1 || total == 0 ? coupon - couponGiven : (long)((Int128)coupon * slots[n].AmountFen / total);
            couponGiven += share;
            if (slots[n].Id == instanceId)
                return new InstanceRefund(order, instanceId, new Money(slots[n].AmountFen), new Money(share), reason, now);
        }
        throw new InvalidOperationException($"Instance {instanceId} was not made by order {order.Id}.");
    }

    /// <summary>
    /// The share, giving back at most <paramref name="refundable"/> in cash: staff may have refunded
    /// part of the order already (docs/decisions/0040), and an order never gives back more than was paid.
    /// </summary>
    public InstanceRefund AtMost(Money refundable) =>
        Cash <= refundable ? this : this with { Amount = CouponShare + (refundable.IsNegative ? Money.Zero : refundable) };

    /// <summary>The payment's postings reversed for this share: revenue gives back the amount, the coupon's share reverses its expense, the customer's cash gets what was paid.</summary>
    public IReadOnlyList<PostingLine> Postings(PaymentAccounts accounts) =>
        Amount.IsZero
            ? []
            : [
                new PostingLine(accounts.Revenue, -Amount),
                new PostingLine(accounts.CouponExpense, CouponShare),
                new PostingLine(accounts.CustomerCash, Cash),
            ];

    /// <summary>R9: the customer is told, once per instance.</summary>
    public PlannedNotice Notice(string instanceName) =>
        new(Order.AccountId, $"order:{Order.Id}:refund:{InstanceId}", new ProvisioningFailedRefund(InstanceId, instanceName, Order.ProductCode, Order.Id, Cash, Reason));

    /// <summary>order.refunded (docs/webhooks.md), once per instance.</summary>
    public LifecycleEvent Event() =>
        LifecycleEvents.Create($"order:{Order.Id}:refunded:{InstanceId}", Order.AccountId, Now, new OrderRefundedEvent(Order.Id, Cash.Fen, "provisioning_failed", InstanceId));
}
