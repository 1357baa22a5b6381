using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Orders;

public static class OrderErrors
{
    public static Problem NotFound(long id) =>
        Problem.NotFound("Order.NotFound", $"Order {id} was not found in your orders.");

    /// <summary>A refund asks for more than the order can give back (or for nothing).</summary>
    public static Problem RefundTooLarge(Order order, Money amount) =>
        order.Refundable.IsPositive
            ? Problem.Invalid("Refund.InvalidAmount", $"Order {order.Id} can give back 0.01 to {order.Refundable} CNY (paid {order.Payable}, refunded {order.Refunded}); {amount} is not that.")
            : Problem.Conflict("Refund.NothingToRefund", order.Status != OrderStatus.Paid || order.PaidWith == PaymentMethod.Compensation
                ? $"Order {order.Id} is {order.Status}{(order.PaidWith == PaymentMethod.Compensation ? " at no charge" : "")}: nothing was paid to give back."
                : $"Order {order.Id} was refunded in full already ({order.Refunded} CNY).");

    public static Problem AlreadyPaid(long id) =>
        Problem.Conflict("Order.AlreadyPaid", $"Order {id} is paid and cannot be cancelled; renew or release the instance instead.");

    public static Problem Cancelled(long id) =>
        Problem.Conflict("Order.Cancelled", $"Order {id} was cancelled and cannot be paid; place a new order.");

    public static Problem Overdue(Money overdue) =>
        Problem.Forbidden("Account.Overdue", $"Your account has an overdue payment of {overdue} CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again.");

    /// <param name="what">"Order 12", "This renewal".</param>
    public static Problem InsufficientCredit(string what, Money payable, Money available) =>
        Problem.Conflict("Order.InsufficientCredit", $"{what} costs {payable} CNY but your Available Credit is {available} CNY. Top up at least {payable - available} CNY or pay with Alipay or UnionPay.");

    public static Problem InstanceHasUnpaidOrder(string instanceId, long orderId) =>
        Problem.Conflict("Instance.UnpaidOrder", $"Instance {instanceId} already has unpaid order {orderId}; pay or cancel it first.");

    public static Problem TokenReused(ClientToken token, Order existing) =>
        Problem.Conflict("ClientToken.Reused", $"The client token {token} was already used for order {existing.Id} ({existing.Type} {existing.ProductCode}); use a new token for a different request.");

    public static Problem InvalidFilter(string message) =>
        Problem.Invalid("Order.InvalidFilter", message);

    /// <summary>R3.5.</summary>
    public static Problem Released(Instance instance, Product product)
    {
        var releasedAt = instance.ReleasedAt ?? InstanceLifecycle.ReleasesAt(instance.ExpiresAt!.Value, product.Lifecycle);
        return Problem.Conflict("Instance.Released", $"Instance {instance.Id} was released on {BusinessCalendar.FormatDate(releasedAt)} and can no longer be renewed.");
    }

    /// <summary>R3.5.</summary>
    public static Problem NotRenewable(Product product) =>
        Problem.Invalid("Product.NotRenewable", $"{product.Name} cannot be renewed here; renew it in the product's own console.");

    /// <summary>R4.5: the cycle this order was for has been paid by another renewal.</summary>
    public static Problem RenewedMeanwhile(Instance instance, long orderId) =>
        Problem.Conflict("Renewal.RenewedMeanwhile", $"Instance {instance.Id} was renewed to {BusinessCalendar.FormatDateTime(instance.ExpiresAt!.Value)} after order {orderId} was placed; order {orderId} was cancelled and nothing was charged.");
}
