using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.TopUpTests;

namespace Cloudbill.Core.Tests;

/// <summary>Paying an order's full amount at Alipay or UnionPay (R5.3), once (R5.5), never lost.</summary>
public class OrderGatewayPaymentTests
{
    private static Task<Result<GatewayCheckout>> PayAtGateway(TestServices test, long account, long orderId, string method, string? token = null) =>
        test.Run<GatewayCheckouts, Result<GatewayCheckout>>((s, ct) => s.StartOrderPayment(account, orderId, method, PaymentDevice.Desktop, token ?? Guid.NewGuid().ToString("N"), ct));

    private static async Task<Order> PlaceRenewal(TestServices test, long account, Instance instance, int months = 1) =>
        (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], RenewalTerm.ForMonths(months), ClientToken.New(), CouponChoice.Best, ct))).Value;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_renewal_paid_by_Alipay_extends_the_instance_and_a_second_payment_goes_to_the_balance(DatabaseProvider provider) // R5.3, R5.5, R3.2
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer("0.00");
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5), region: "cn-hongkong");
        var coupon = await test.Coupon(account, "29.00", orderTypes: CouponOrderTypes.Renew);
        var order = await PlaceRenewal(test, account, instance);
        Assert.Equal(Money.Parse("400.00"), order.Payable); // 429.00 a month in Hong Kong, less the 29.00 coupon

        var first = (await PayAtGateway(test, account, order.Id, "Alipay")).Value;
        var second = (await PayAtGateway(test, account, order.Id, "UnionPay")).Value;
        Assert.Equal("alipay.trade.page.pay", first.Request.Field("method")); // a desktop browser
        Assert.Equal("07", second.Request.Field("channelType"));
        Assert.Equal("40000", second.Request.Field("txnAmt"));

        // The customer paid both (two tabs). Alipay's notification comes first.
        var alipayReply = await NotifyAlipay(test, GatewayDouble.AlipayNotification(first.Payment.OutTradeNo, Money.Parse("400.00"), gateways.Pay(first.Payment.OutTradeNo, Money.Parse("400.00"))));
        var unionReply = await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(second.Payment.OutTradeNo, second.Payment.TxnTime, Money.Parse("400.00"), gateways.Pay(second.Payment.OutTradeNo, Money.Parse("400.00"))));

        Assert.Equal(("success", "ok"), (alipayReply.Body, unionReply.Body));
        var paid = await test.Query(db => db.Orders.SingleAsync(o => o.Id == order.Id));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.Alipay), (paid.Status, paid.PaidWith));
        Assert.Equal(Cloudbill.Core.Time.BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1), (await test.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(Money.Zero, (await test.Query(db => db.Coupons.SingleAsync(c => c.Id == coupon.Id))).Remaining);
        // R5.5: the second payment is on the balance, recorded, never lost, never a second month.
        Assert.Equal(Money.Parse("400.00"), (await test.Balance(account)).Cash);
        var refunded = await Payment(test, second.Payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Credited, refunded.State);
        Assert.Equal($"Order {order.Id} was already paid (Alipay). The 400.00 CNY paid by UnionPay was credited to your balance instead (R5.5).", refunded.Outcome);
        Assert.Equal(1, await test.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey == OrderPayments.PaymentKey(order.Id))));
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_purchase_paid_by_UnionPay_creates_the_instance(DatabaseProvider provider) // R5.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var order = (await test.Run<PurchaseService, Result<Order>>((s, ct) => s.Buy(account, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1), ClientToken.New(), CouponChoice.None, ct))).Value;

        var checkout = (await PayAtGateway(test, account, order.Id, "UnionPay")).Value;
        var reply = await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(checkout.Payment.OutTradeNo, checkout.Payment.TxnTime, Money.Parse("429.00"), gateways.Pay(checkout.Payment.OutTradeNo, Money.Parse("429.00"))));

        Assert.Equal(200, reply.StatusCode);
        var paid = await test.Query(db => db.Orders.SingleAsync(o => o.Id == order.Id));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.UnionPay), (paid.Status, paid.PaidWith));
        var created = await test.Query(db => db.Instances.SingleAsync(i => i.AccountId == account));
        Assert.Equal(("cn-hongkong", order.Id), (created.RegionId, created.CreatedByOrderId));
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_payment_confirmed_after_its_order_was_cancelled_is_credited_to_the_balance(DatabaseProvider provider) // R5.5, R5.2
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5), region: "cn-hongkong");
        var order = await PlaceRenewal(test, account, instance);
        var checkout = (await PayAtGateway(test, account, order.Id, "Alipay")).Value;
        await test.Run<OrderService, Result<Order>>((s, ct) => s.Cancel(account, order.Id, ct));

        var tradeNo = gateways.Pay(checkout.Payment.OutTradeNo, Money.Parse("429.00"));
        var reply = await NotifyAlipay(test, GatewayDouble.AlipayNotification(checkout.Payment.OutTradeNo, Money.Parse("429.00"), tradeNo));

        Assert.Equal("success", reply.Body);
        Assert.Equal(OrderStatus.Cancelled, (await test.Query(db => db.Orders.SingleAsync(o => o.Id == order.Id))).Status);
        Assert.Equal(instance.ExpiresAt, (await test.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(Money.Parse("429.00"), (await test.Balance(account)).Cash);
        Assert.StartsWith($"Order {order.Id} was cancelled (Customer) before the payment arrived.", (await Payment(test, checkout.Payment.OutTradeNo)).Outcome, StringComparison.Ordinal);
        var notice = await test.Query(db => db.Notifications.SingleAsync(n => n.CauseKey == $"payment:{checkout.Payment.OutTradeNo}:to-balance"));
        Assert.Equal("Payment credited to your balance", notice.Title());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_overdue_account_cannot_start_paying_an_order_and_money_that_arrives_for_a_dead_order_settles_the_debt(DatabaseProvider provider) // R7.4, R5.5
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5), region: "cn-hongkong");
        var order = await PlaceRenewal(test, account, instance);
        var checkout = (await PayAtGateway(test, account, order.Id, "Alipay")).Value;
        await test.Run<OrderService, Result<Order>>((s, ct) => s.Cancel(account, order.Id, ct));
        await test.MakeOverdue(account, "100.00");

        var second = await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        Assert.Equal("Account.Overdue", second.Problem!.Code);
        var blocked = await test.Run<Cloudbill.Core.Payments.GatewayCheckouts, Result<GatewayCheckout>>((s, ct) => s.StartOrderPayment(account, order.Id, "Alipay", PaymentDevice.Phone, "late", ct));
        Assert.Equal("Order.NotPayable", blocked.Problem!.Code); // cancelled anyway; an unpaid one would get Account.Overdue

        await NotifyAlipay(test, GatewayDouble.AlipayNotification(checkout.Payment.OutTradeNo, Money.Parse("429.00"), gateways.Pay(checkout.Payment.OutTradeNo, Money.Parse("429.00"))));

        var balance = await test.Balance(account);
        Assert.Equal((Money.Zero, Money.Parse("329.00")), (balance.Overdue, balance.Cash));
        Assert.EndsWith("credited to your balance instead (R5.5). 100.00 CNY of it settled your overdue payment.", (await Payment(test, checkout.Payment.OutTradeNo)).Outcome, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_unpaid_order_cannot_be_sent_to_a_gateway_while_the_account_is_overdue(DatabaseProvider provider) // R7.4
    {
        var (test, _) = await Start(provider);
        await using var __ = test;
        var account = await test.Customer();
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5), region: "cn-hongkong");
        var order = await PlaceRenewal(test, account, instance);
        await test.MakeOverdue(account, "12.34");
        var before = await test.Snapshot();

        var refused = await PayAtGateway(test, account, order.Id, "UnionPay");

        Assert.Equal(("Account.Overdue", "Your account has an overdue payment of 12.34 CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again."),
            (refused.Problem!.Code, refused.Problem.Message));
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Paying_someone_elses_order_a_paid_order_or_with_a_refused_method_is_refused_and_changes_nothing(DatabaseProvider provider) // R5.3, R7.2
    {
        var (test, _) = await Start(provider);
        await using var __ = test;
        var account = await test.Customer("1000.00");
        var stranger = await test.Customer();
        var instance = await test.Instance(account, GatewayDouble.Start.AddDays(5), region: "cn-hongkong");
        var order = await PlaceRenewal(test, account, instance);
        var before = await test.Snapshot();

        Assert.Equal("Order.NotFound", (await PayAtGateway(test, stranger, order.Id, "Alipay")).Problem!.Code);
        Assert.Equal("Payment.MethodRefused", (await PayAtGateway(test, account, order.Id, "Huabei")).Problem!.Code);
        Assert.Equal("Payment.MethodUnknown", (await PayAtGateway(test, account, order.Id, "Balance")).Problem!.Code);
        Assert.Equal(before, await test.Snapshot());

        await test.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(account, order.Id, ct));
        var paid = await PayAtGateway(test, account, order.Id, "Alipay");
        Assert.Equal(("Order.NotPayable", $"Order {order.Id} is paid; only an unpaid order can be paid."), (paid.Problem!.Code, paid.Problem.Message));
        Assert.Equal(0, await test.Query(db => db.GatewayPayments.CountAsync()));
    }
}
