using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments;

/// <summary>What a customer or an operator is told when a gateway payment cannot go ahead.</summary>
public static class PaymentErrors
{
    public static Problem MethodMissing() =>
        Problem.Invalid("Payment.MethodMissing", "Choose a payment method: Alipay or UnionPay.");

    /// <summary>R7.2: Huabei and credit cards are named, so the customer knows why.</summary>
    public static Problem MethodRefused(string method) =>
        Problem.Invalid("Payment.MethodRefused", $"{method} cannot be used to pay Cloudbill: Huabei and credit cards are not accepted. Choose Alipay (balance or debit card) or UnionPay.");

    public static Problem MethodUnknown(string method) =>
        Problem.Invalid("Payment.MethodUnknown", $"'{method}' is not a payment method; choose Alipay or UnionPay.");

    /// <summary>Neither a real merchant nor the sandbox: nothing can be paid at a gateway on this Cloudbill.</summary>
    public static Problem PaymentsNotConfigured() =>
        Problem.Invalid("Payment.NotConfigured", "Payments are not configured on this Cloudbill: the operator has set up neither Alipay nor UnionPay (Cloudbill:Payments:Alipay, Cloudbill:Payments:UnionPay), so nothing can be paid at a gateway yet. Orders can still be paid from the balance; ask your provider to enable top-ups.");

    public static Problem NotConfigured(PaymentGateway gateway) =>
        Problem.Invalid("Payment.GatewayNotConfigured", $"{gateway} is not available on this Cloudbill: the operator has not configured it (Cloudbill:Payments:{gateway}). Choose another method.");

    public static Problem NotRefundable(GatewayPayment payment) =>
        Problem.Conflict("Refund.NotCredited", payment.State switch
        {
            GatewayPaymentState.Refunding or GatewayPaymentState.Refunded => $"Payment {payment.OutTradeNo} was never credited: it goes back to the payer by itself ({payment.State}).",
            _ => $"Payment {payment.OutTradeNo} is {payment.State}: only a credited payment can go back to the payer.",
        });

    public static Problem RefundExceedsCash(GatewayPayment payment, Money cash) =>
        Problem.Conflict("Refund.ExceedsCash", $"Payment {payment.OutTradeNo} brought {payment.Amount} CNY but the cash balance is {cash} CNY: the rest was spent. Refund the order it paid for (its price comes back to the balance first), or send it back after that.");

    public static Problem NotFound(string outTradeNo) =>
        Problem.NotFound("Payment.NotFound", $"There is no payment {outTradeNo} on your account.");

    public static Problem OrderNotPayable(long orderId, string state) =>
        Problem.Conflict("Order.NotPayable", $"Order {orderId} is {state}; only an unpaid order can be paid.");

    public static Problem OrderFree(long orderId) =>
        Problem.Invalid("Order.NothingToPay", $"Order {orderId} costs nothing after its coupon; pay it from the balance instead.");

    public static Problem NotPending(string outTradeNo, GatewayPaymentState state) =>
        Problem.Conflict("Payment.NotPending", $"Payment {outTradeNo} is {state}; it can no longer be paid at the gateway. Start a new one.");

    public static Problem Unreachable(PaymentGateway gateway, string detail) =>
        Problem.Conflict("Payment.GatewayUnreachable", $"{gateway} did not answer ({detail}); try again in a moment.");
}
