using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.TopUpTests;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>
/// Finance's refunds (docs/decisions/0040): an order to the balance in parts, never more than was
/// paid, once per form; a credited payment back through Alipay or UnionPay, once, only while the
/// cash holds it; an order paid at a gateway back to that gateway. Each leaves the ledger and
/// `reconcile --gateways` clean.
/// </summary>
public class RefundTests
{
    private const string Why = "Duplicate purchase, ticket 8812";

    private static Task<Result<RefundDone>> RefundOrder(TestServices test, long account, long orderId, string amount, RefundDestination to, ClientToken token, string reason = Why) =>
        test.Run<Refunds, Result<RefundDone>>((s, ct) => s.RefundOrder(account, orderId, Money.Parse(amount), to, reason, token, ct));

    private static Task<Result<RefundDone>> RefundPayment(TestServices test, long account, string outTradeNo, string reason = Why) =>
        test.Run<Refunds, Result<RefundDone>>((s, ct) => s.RefundPayment(account, outTradeNo, reason, ct));

    private static async Task<Order> PaidRenewal(TestServices test, long account, Instance instance)
    {
        var order = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.Best, ct))).Value;
        var paid = await test.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(account, order.Id, ct));
        Assert.True(paid.Succeeded, paid.Problem?.Message);
        return order;
    }

    private static Task<Order> Order(TestServices test, long orderId) => test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == orderId));

    private static async Task<GatewayPaymentCheck> GatewayCheck(TestServices test, string outTradeNo) =>
        (await test.Run<GatewayReconciliation, IReadOnlyList<GatewayPaymentCheck>>((r, ct) => r.Run(ct))).Single(c => c.Payment.OutTradeNo == outTradeNo);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_order_is_refunded_to_the_balance_in_parts_never_beyond_what_was_paid_and_once_per_form(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("500.00");
        var instance = await test.Instance(account, test.Clock.GetUtcNow().AddDays(5));
        var order = await PaidRenewal(test, account, instance);
        Assert.Equal(Money.Parse("330.00"), order.Payable);
        var expiry = (await test.Reload(instance.Id)).ExpiresAt;
        var token = ClientToken.New();

        var twice = await Task.WhenAll(RefundOrder(test, account, order.Id, "30.00", RefundDestination.Balance, token), RefundOrder(test, account, order.Id, "30.00", RefundDestination.Balance, token));
        Assert.All(twice, r => Assert.True(r.Succeeded, r.Problem?.Message));
        Assert.Equal(1, twice.Count(r => !r.Value.AlreadyDone));
        Assert.Equal(Money.Parse("200.00"), (await test.Balance(account)).Cash);
        Assert.Equal(Money.Parse("30.00"), (await Order(test, order.Id)).Refunded);

        var tooMuch = await RefundOrder(test, account, order.Id, "300.01", RefundDestination.Balance, ClientToken.New());
        Assert.Equal("Refund.InvalidAmount", tooMuch.Problem!.Code);
        Assert.Equal($"Order {order.Id} can give back 0.01 to 300.00 CNY (paid 330.00, refunded 30.00); 300.01 is not that.", tooMuch.Problem.Message);
        Assert.Equal("Staff.ReasonRequired", (await RefundOrder(test, account, order.Id, "1.00", RefundDestination.Balance, ClientToken.New(), reason: "  ")).Problem!.Code);
        Assert.Equal("Refund.NoGatewayPayment", (await RefundOrder(test, account, order.Id, "300.00", RefundDestination.Gateway, ClientToken.New())).Problem!.Code);
        Assert.Equal(Money.Parse("200.00"), (await test.Balance(account)).Cash);

        Assert.True((await RefundOrder(test, account, order.Id, "300.00", RefundDestination.Balance, ClientToken.New())).Succeeded);
        var done = await RefundOrder(test, account, order.Id, "0.01", RefundDestination.Balance, ClientToken.New());
        Assert.Equal(("Refund.NothingToRefund", $"Order {order.Id} was refunded in full already (330.00 CNY)."), (done.Problem!.Code, done.Problem.Message));

        Assert.Equal(Money.Parse("500.00"), (await test.Balance(account)).Cash);
        Assert.Equal((OrderStatus.Paid, Money.Parse("330.00")), ((await Order(test, order.Id)).Status, (await Order(test, order.Id)).Refunded));
        // A refund is money, not a release: the renewed month stays.
        Assert.Equal(expiry, (await test.Reload(instance.Id)).ExpiresAt);
        var notices = await test.Query(db => db.Notifications.Where(n => n.AccountId == account && n.Kind == NotificationKind.PaymentSucceeded).ToListAsync());
        Assert.Equal(3, notices.Count); // the payment, then the two refunds
        Assert.Equal(2, await test.Query(db => db.LifecycleEvents.CountAsync(e => e.Key.StartsWith($"order:{order.Id}:refunded:"))));
        var audit = await test.Query(db => db.AuditEvents.Where(a => a.AccountId == account && a.Kind == AuditEventKind.OrderRefunded).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([$"order {order.Id}: 30.00 CNY refunded to the balance", $"order {order.Id}: 300.00 CNY refunded to the balance"], audit.Select(a => a.Detail));
        Assert.All(audit, a => Assert.Equal(Why, a.Reason));
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_Alipay_top_up_goes_back_to_the_payer_once_and_reconciles(DatabaseProvider provider)
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "100.00")).Value.Payment;
        await NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("100.00"), gateways.Pay(payment.OutTradeNo, Money.Parse("100.00"))));
        Assert.Equal(Money.Parse("100.00"), (await test.Balance(account)).Cash);

        var answers = await Task.WhenAll(RefundPayment(test, account, payment.OutTradeNo), RefundPayment(test, account, payment.OutTradeNo));

        Assert.All(answers, a => Assert.True(a.Succeeded, a.Problem?.Message));
        Assert.Equal(1, answers.Count(a => !a.Value.AlreadyDone));
        Assert.Equal(1, gateways.Refunds);
        var refunded = await Payment(test, payment.OutTradeNo);
        Assert.Equal((GatewayPaymentState.Refunded, payment.OutTradeNo + "S1"), (refunded.State, refunded.RefundRequestNo));
        Assert.NotNull(refunded.RefundedAt);
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        Assert.Equal(Money.Zero, await test.SharedAccountBalance(LedgerService.AlipayClearingCode));
        Assert.Equal(1, await test.Query(db => db.Notifications.CountAsync(n => n.AccountId == account && n.CauseKey == $"payment:{payment.OutTradeNo}:returned")));
        Assert.Equal(Why, (await test.Query(db => db.AuditEvents.SingleAsync(a => a.AccountId == account && a.Kind == AuditEventKind.GatewayRefundRequested))).Reason);

        var check = await GatewayCheck(test, payment.OutTradeNo);
        Assert.Equal([], check.Mismatches);
        Assert.Equal((GatewayTradeState.Closed, GatewayRefundState.Refunded, Money.Parse("100.00")), (check.AtGateway.State, check.Refund!.State, check.Refund.Amount));
        Assert.True((await Reconcile(test)).IsClean);

        // Not a second time, and not a payment that was never credited.
        Assert.True((await RefundPayment(test, account, payment.OutTradeNo)).Value.AlreadyDone);
        var pending = (await TopUp(test, account, "20.00")).Value.Payment;
        Assert.Equal("Refund.NotCredited", (await RefundPayment(test, account, pending.OutTradeNo)).Problem!.Code);
        Assert.Equal(1, gateways.Refunds);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_UnionPay_top_up_goes_back_only_while_the_cash_holds_it_and_its_refund_notification_is_checked(DatabaseProvider provider)
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "80.00", "UnionPay")).Value.Payment;
        var queryId = gateways.Pay(payment.OutTradeNo, Money.Parse("80.00"));
        await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(payment.OutTradeNo, payment.TxnTime, Money.Parse("80.00"), queryId));
        await test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(account, Money.Parse("-50.00"), "Spent in a test", ClientToken.New(), ct));

        var spent = await RefundPayment(test, account, payment.OutTradeNo);

        Assert.Equal("Refund.ExceedsCash", spent.Problem!.Code);
        Assert.Equal(GatewayPaymentState.Credited, (await Payment(test, payment.OutTradeNo)).State);
        Assert.Equal(0, gateways.Refunds);

        await test.Run<BalanceAdjustments, Result<BalanceAdjusted>>((s, ct) => s.Adjust(account, Money.Parse("50.00"), "Back in a test", ClientToken.New(), ct));
        Assert.True((await RefundPayment(test, account, payment.OutTradeNo)).Succeeded);

        var refunded = await Payment(test, payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Refunded, refunded.State);
        Assert.Equal(1, gateways.Refunds);
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        // UnionPay's notification of the refund (txnType 04): acknowledged when it is ours, refused when it says another amount.
        var refundNo = refunded.RefundRequestNo!;
        Assert.Equal(200, (await NotifyUnionPay(test, GatewayDouble.UnionPayRefundNotification(refundNo, refunded.RefundTxnTime!.Value, Money.Parse("80.00"), queryId))).StatusCode);
        var forged = await NotifyUnionPay(test, GatewayDouble.UnionPayRefundNotification(refundNo, refunded.RefundTxnTime.Value, Money.Parse("8.00"), queryId));
        Assert.Equal((400, "UnionPay.AmountMismatch"), (forged.StatusCode, forged.RefusedBecause));

        var check = await GatewayCheck(test, payment.OutTradeNo);
        Assert.Equal([], check.Mismatches);
        Assert.Equal((GatewayRefundState.Refunded, Money.Parse("80.00")), (check.Refund!.State, check.Refund.Amount));
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_refund_the_gateway_did_not_hear_stays_Refunding_until_the_poller_gets_it_through_once(DatabaseProvider provider)
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "45.00", "UnionPay")).Value.Payment;
        var queryId = gateways.Pay(payment.OutTradeNo, Money.Parse("45.00"));
        await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(payment.OutTradeNo, payment.TxnTime, Money.Parse("45.00"), queryId));

        gateways.Down = true;
        Assert.True((await RefundPayment(test, account, payment.OutTradeNo)).Succeeded);

        // The money has left the balance and waits in the clearing account; reconcile says the refund is not confirmed.
        var waiting = await Payment(test, payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Refunding, waiting.State);
        Assert.NotNull(waiting.RefundTxnTime);
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        gateways.Down = false;
        Assert.Contains("refund not confirmed by the gateway yet", (await GatewayCheck(test, payment.OutTradeNo)).Mismatches);
        Assert.Equal(0, gateways.Refunds);

        // Five minutes on, the poller asks about the refund it sent, finds none, and sends it again with a new txnTime.
        test.Clock.Advance(TimeSpan.FromMinutes(6));
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));
        var refunded = await Payment(test, payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Refunded, refunded.State);
        Assert.True(refunded.RefundTxnTime > waiting.RefundTxnTime);
        Assert.Equal(1, gateways.Refunds);
        test.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct)));
        Assert.Equal(1, gateways.Refunds);
        Assert.Equal([], (await GatewayCheck(test, payment.OutTradeNo)).Mismatches);
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_order_paid_by_Alipay_goes_back_to_Alipay_whole_from_revenue(DatabaseProvider provider)
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5));
        var order = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.Best, ct))).Value;
        var payment = (await test.Run<GatewayCheckouts, Result<GatewayCheckout>>((s, ct) => s.StartOrderPayment(account, order.Id, "Alipay", PaymentDevice.Desktop, "pay-1", ct))).Value.Payment;
        await NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, order.Payable, gateways.Pay(payment.OutTradeNo, order.Payable)));
        Assert.Equal(OrderStatus.Paid, (await Order(test, order.Id)).Status);
        var revenue = await test.SharedAccountBalance(LedgerService.RevenueCode);

        var part = await RefundOrder(test, account, order.Id, "100.00", RefundDestination.Gateway, ClientToken.New());
        Assert.Equal(("Refund.GatewayAmount", $"A payment goes back to Alipay whole: 330.00 CNY (payment {payment.OutTradeNo}), not 100.00. Refund a part to the balance instead."), (part.Problem!.Code, part.Problem.Message));

        var whole = await RefundOrder(test, account, order.Id, "330.00", RefundDestination.Gateway, ClientToken.New());

        Assert.True(whole.Succeeded, whole.Problem?.Message);
        Assert.Equal(GatewayPaymentState.Refunded, (await Payment(test, payment.OutTradeNo)).State);
        Assert.Equal(Money.Parse("330.00"), (await Order(test, order.Id)).Refunded);
        // The customer's cash never held it: revenue gives it straight back to Alipay.
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        Assert.Equal(revenue - Money.Parse("330.00"), await test.SharedAccountBalance(LedgerService.RevenueCode));
        Assert.Equal(Money.Zero, await test.SharedAccountBalance(LedgerService.AlipayClearingCode));
        // One message, the order's, naming Alipay; not also the payment's "from your balance" one.
        var told = await test.Query(db => db.Notifications.AsNoTracking().Where(n => n.AccountId == account && n.CauseKey.StartsWith($"order:{order.Id}:staff-refund:")).ToListAsync());
        Assert.Equal($"330.00 CNY of order {order.Id} (Elastic Compute Service (ECS)) went back to the Alipay account you paid it with; Alipay shows it there within a few days.", Assert.Single(told).Body());
        Assert.False(await test.Query(db => db.Notifications.AnyAsync(n => n.CauseKey == $"payment:{payment.OutTradeNo}:returned")));
        var refundedEvent = await test.Query(db => db.LifecycleEvents.SingleAsync(e => e.Key.StartsWith($"order:{order.Id}:refunded:")));
        Assert.Contains("\"reason\":\"provider_refund_to_gateway\"", refundedEvent.Data, StringComparison.Ordinal);
        Assert.Equal($"order {order.Id}: 330.00 CNY refunded to Alipay (payment {payment.OutTradeNo})",
            (await test.Query(db => db.AuditEvents.SingleAsync(a => a.AccountId == account && a.Kind == AuditEventKind.OrderRefunded))).Detail);

        // The overview counts it once, for the customer who paid.
        var rows = await test.Run<FinanceOverview, IReadOnlyList<OverviewRow>>((o, ct) => o.Rows(OverviewFigure.Refunds, OverviewPeriod.ThisMonth, ct));
        var row = Assert.Single(rows);
        Assert.Equal((account, Money.Parse("330.00")), (row.AccountId, row.Amount));

        Assert.Equal([], (await GatewayCheck(test, payment.OutTradeNo)).Mismatches);
        Assert.True((await Reconcile(test)).IsClean);
    }
}
