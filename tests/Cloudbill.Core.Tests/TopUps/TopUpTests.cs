using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.TopUps;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>Top-up by Alipay and UnionPay (R7.2, R7.3, R10.3): pending until the gateway confirms, credited exactly once.</summary>
public class TopUpTests
{
    internal static async Task<(TestServices Test, GatewayDouble Gateways)> Start(DatabaseProvider provider)
    {
        var gateways = new GatewayDouble();
        var test = await TestServices.Start(provider, GatewayDouble.Start, configure: gateways.Install);
        return (test, gateways);
    }

    internal static Task<Result<GatewayCheckout>> TopUp(TestServices test, long account, string? amount, string? method = "Alipay", string? token = null) =>
        test.Run<TopUpCheckouts, Result<GatewayCheckout>>((s, ct) => s.Start(account, amount, method, PaymentDevice.Phone, token ?? Guid.NewGuid().ToString("N"), ct));

    internal static Task<NotificationReply> NotifyAlipay(TestServices test, List<KeyValuePair<string, string>> fields) =>
        test.Run<GatewayNotifications, NotificationReply>((s, ct) => s.FromAlipay(fields, ct));

    internal static Task<NotificationReply> NotifyUnionPay(TestServices test, List<KeyValuePair<string, string>> fields) =>
        test.Run<GatewayNotifications, NotificationReply>((s, ct) => s.FromUnionPay(fields, ct));

    internal static Task<GatewayPayment> Payment(TestServices test, string outTradeNo) =>
        test.Query(db => db.GatewayPayments.AsNoTracking().SingleAsync(p => p.OutTradeNo == outTradeNo));

    internal static Task<ReconciliationReport> Reconcile(TestServices test) =>
        test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_Alipay_top_up_is_pending_until_the_signed_notification_then_credited_once(DatabaseProvider provider) // R7.2, R7.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer("20.00");

        var checkout = (await TopUp(test, account, "100.00")).Value;

        // The request Alipay receives: wap pay for phones, exactly the amount, Huabei and credit cards excluded (R7.2).
        Assert.Equal("alipay.trade.wap.pay", checkout.Request.Field("method"));
        var biz = System.Text.Json.JsonDocument.Parse(checkout.Request.Field("biz_content")!).RootElement;
        Assert.Equal("100.00", biz.GetProperty("total_amount").GetString());
        Assert.Equal(checkout.Payment.OutTradeNo, biz.GetProperty("out_trade_no").GetString());
        Assert.Contains("pcredit", biz.GetProperty("disable_pay_channels").GetString()!.Split(','));
        Assert.Contains("creditCard", biz.GetProperty("disable_pay_channels").GetString()!.Split(','));
        Assert.Equal("http://127.0.0.1:5080/payments/alipay/notify", checkout.Request.Field("notify_url"));
        Assert.Equal(GatewayPaymentState.Pending, checkout.Payment.State);
        Assert.Equal(Money.Parse("20.00"), (await test.Balance(account)).Cash); // nothing before the gateway confirms

        var tradeNo = gateways.Pay(checkout.Payment.OutTradeNo, Money.Parse("100.00"));
        var reply = await NotifyAlipay(test, GatewayDouble.AlipayNotification(checkout.Payment.OutTradeNo, Money.Parse("100.00"), tradeNo));

        Assert.Equal((200, "success"), (reply.StatusCode, reply.Body));
        Assert.Equal(Money.Parse("120.00"), (await test.Balance(account)).Cash);
        var payment = await Payment(test, checkout.Payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Credited, payment.State);
        Assert.Equal(tradeNo, payment.GatewayTradeNo);
        Assert.Equal("notification", payment.ConfirmedBy);
        var notice = await test.Query(db => db.Notifications.SingleAsync(n => n.AccountId == account && n.Kind == NotificationKind.TopUpCredited));
        Assert.Equal("Top-up credited", notice.Title());
        Assert.Contains("100.00 CNY from Alipay", notice.Body(), StringComparison.Ordinal);
        // R10.1, R10.3: received under the trade number, from Alipay's clearing account.
        var received = await test.Query(db => db.JournalTransactions.Include(t => t.Postings).SingleAsync(t => t.BusinessKey == $"alipay:{payment.OutTradeNo}:received"));
        Assert.Equal(2, received.Postings.Count);
        Assert.Equal(Money.Parse("-100.00"), await test.SharedAccountBalance(LedgerService.AlipayClearingCode));
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Five_concurrent_copies_of_a_notification_credit_once_and_a_late_copy_after_the_query_changes_nothing(DatabaseProvider provider) // R7.3, R10.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();

        var alipay = (await TopUp(test, account, "50.00")).Value.Payment;
        var alipayNotice = GatewayDouble.AlipayNotification(alipay.OutTradeNo, Money.Parse("50.00"), gateways.Pay(alipay.OutTradeNo, Money.Parse("50.00")));
        var unionPay = (await TopUp(test, account, "30.00", "UnionPay")).Value.Payment;
        var unionPayNotice = GatewayDouble.UnionPayNotification(unionPay.OutTradeNo, unionPay.TxnTime, Money.Parse("30.00"), gateways.Pay(unionPay.OutTradeNo, Money.Parse("30.00")));

        var replies = await Task.WhenAll(Enumerable.Range(0, 5).SelectMany(_ => new[] { NotifyAlipay(test, alipayNotice), NotifyUnionPay(test, unionPayNotice) }));

        Assert.All(replies, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(5, replies.Count(r => r.Body == "success"));
        Assert.Equal(5, replies.Count(r => r.Body == "ok"));
        Assert.Equal(Money.Parse("80.00"), (await test.Balance(account)).Cash);
        Assert.Equal(2, await test.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey.EndsWith(":received"))));
        Assert.Equal(2, await test.Query(db => db.Notifications.CountAsync(n => n.AccountId == account && n.Kind == NotificationKind.TopUpCredited)));

        // A third top-up confirmed by the query fallback first, then its notification arrives: still once.
        var third = (await TopUp(test, account, "10.00")).Value.Payment;
        var thirdTrade = gateways.Pay(third.OutTradeNo, Money.Parse("10.00"));
        test.Clock.Advance(GatewayCheckouts.FirstQueryAfter);
        Assert.Equal(1, await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct)));
        var before = await test.Snapshot();
        var late = await NotifyAlipay(test, GatewayDouble.AlipayNotification(third.OutTradeNo, Money.Parse("10.00"), thirdTrade));

        Assert.Equal("success", late.Body);
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal(Money.Parse("90.00"), (await test.Balance(account)).Cash);
        Assert.Equal("query", (await Payment(test, third.OutTradeNo)).ConfirmedBy);
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_notification_that_never_comes_is_settled_by_the_query_fallback(DatabaseProvider provider) // R7.3, payments.md §2.6
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var alipay = (await TopUp(test, account, "88.00")).Value.Payment;
        var unionPay = (await TopUp(test, account, "12.00", "UnionPay")).Value.Payment;

        // Before the payer pays, the poller's look finds nothing and schedules the next one.
        test.Clock.Advance(GatewayCheckouts.FirstQueryAfter);
        Assert.Equal(2, await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct)));
        Assert.Equal(GatewayPaymentState.Pending, (await Payment(test, alipay.OutTradeNo)).State);
        Assert.Equal(alipay.CreatedAt + TimeSpan.FromMinutes(10), (await Payment(test, alipay.OutTradeNo)).NextQueryAt);

        gateways.Pay(alipay.OutTradeNo, Money.Parse("88.00"));
        gateways.Pay(unionPay.OutTradeNo, Money.Parse("12.00"));
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct)));

        Assert.Equal(Money.Parse("100.00"), (await test.Balance(account)).Cash);
        Assert.Equal((GatewayPaymentState.Credited, "query"), ((await Payment(test, alipay.OutTradeNo)).State, (await Payment(test, alipay.OutTradeNo)).ConfirmedBy));
        Assert.Equal(GatewayPaymentState.Credited, (await Payment(test, unionPay.OutTradeNo)).State);
        Assert.Null((await Payment(test, unionPay.OutTradeNo)).NextQueryAt);
        Assert.Equal(0, await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_abandoned_top_up_is_closed_after_its_deadline_and_a_payment_that_still_arrives_is_credited(DatabaseProvider provider) // R7.3, payments.md §1.9
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "66.00")).Value.Payment;

        // Look at every scheduled time until the deadline (30 minutes for Alipay) has passed.
        for (var i = 0; i < 6; i++)
        {
            test.Clock.Advance(TimeSpan.FromMinutes(10));
            await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));
        }

        var closed = await Payment(test, payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Closed, closed.State);
        Assert.StartsWith("Not paid by 2026-11-27 10:30", closed.Outcome, StringComparison.Ordinal);
        Assert.Equal(1, gateways.Closes);
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        var resumed = await test.Run<GatewayCheckouts, Result<GatewayCheckout>>((s, ct) => s.Resume(account, payment.OutTradeNo, ct));
        Assert.Equal("Payment.NotPending", resumed.Problem!.Code);

        // The payer paid in the last second; Alipay's notification comes late. Money is never lost.
        var reply = await NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("66.00"), gateways.Pay(payment.OutTradeNo, Money.Parse("66.00"))));
        Assert.Equal("success", reply.Body);
        Assert.Equal(GatewayPaymentState.Credited, (await Payment(test, payment.OutTradeNo)).State);
        Assert.Equal(Money.Parse("66.00"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_payment_made_while_the_poller_closes_it_is_not_closed_blind_and_a_closed_one_gets_a_last_look(DatabaseProvider provider) // R7.3, payments.md §1.9
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var racing = (await TopUp(test, account, "40.00")).Value.Payment;
        var late = (await TopUp(test, account, "60.00")).Value.Payment;
        // The payer of the first pays just as the poller closes it: Alipay refuses to close a paid trade.
        gateways.BeforeClose = outTradeNo =>
        {
            if (outTradeNo == racing.OutTradeNo)
                gateways.Pay(racing.OutTradeNo, Money.Parse("40.00"));
        };

        test.Clock.Advance(TimeSpan.FromMinutes(31)); // past the 30-minute deadline and its grace minute
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));
        Assert.Equal(GatewayPaymentState.Pending, (await Payment(test, racing.OutTradeNo)).State);
        Assert.Equal(GatewayPaymentState.Closed, (await Payment(test, late.OutTradeNo)).State);
        test.Clock.Advance(TimeSpan.FromMinutes(2));
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));
        Assert.Equal((GatewayPaymentState.Credited, "query"), ((await Payment(test, racing.OutTradeNo)).State, (await Payment(test, racing.OutTradeNo)).ConfirmedBy));

        // The second was paid after all and every notification was lost: the last look a day later credits it.
        gateways.Pay(late.OutTradeNo, Money.Parse("60.00"));
        test.Clock.Advance(GatewayPoller.LastLookAfterClose);
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));
        Assert.Equal(GatewayPaymentState.Credited, (await Payment(test, late.OutTradeNo)).State);
        Assert.Equal(Money.Parse("100.00"), (await test.Balance(account)).Cash);
        Assert.Null((await Payment(test, late.OutTradeNo)).NextQueryAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_signed_query_answer_about_another_trade_credits_nothing(DatabaseProvider provider) // payments.md §3.5 step 4
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var mine = (await TopUp(test, account, "70.00")).Value.Payment;
        var someoneElses = (await TopUp(test, await test.Customer(), "70.00")).Value.Payment;
        gateways.Pay(someoneElses.OutTradeNo, Money.Parse("70.00"));
        gateways.AnswerAbout[mine.OutTradeNo] = someoneElses.OutTradeNo;

        var status = await test.Run<GatewayPoller, GatewayTradeStatus>((p, ct) => p.Query(mine, ct));
        test.Clock.Advance(GatewayCheckouts.FirstQueryAfter);
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));

        Assert.Equal(GatewayTradeState.Unknown, status.State);
        Assert.Contains(someoneElses.OutTradeNo, status.Detail, StringComparison.Ordinal);
        Assert.Equal(GatewayPaymentState.Pending, (await Payment(test, mine.OutTradeNo)).State);
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Forged_or_mismatched_notifications_are_refused_and_change_nothing(DatabaseProvider provider) // payments.md §1.7, §2.5
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer("5.00");
        var payment = (await TopUp(test, account, "100.00")).Value.Payment;
        var other = (await TopUp(test, account, "1.00")).Value.Payment;
        var union = (await TopUp(test, account, "100.00", "UnionPay")).Value.Payment;
        var tradeNo = gateways.Pay(payment.OutTradeNo, Money.Parse("100.00"));
        var genuine = GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("100.00"), tradeNo);
        var genuineUnion = GatewayDouble.UnionPayNotification(union.OutTradeNo, union.TxnTime, Money.Parse("100.00"), "Q1");
        var before = await test.Snapshot();

        var attempts = new (string Case, string Refusal, Task<NotificationReply> Reply)[]
        {
            ("tampered amount", "Alipay.BadSignature", NotifyAlipay(test, genuine.With("total_amount", "1000.00"))),
            ("tampered out_trade_no (replayed for another order)", "Alipay.BadSignature", NotifyAlipay(test, genuine.With("out_trade_no", other.OutTradeNo))),
            ("missing sign", "Alipay.MissingSign", NotifyAlipay(test, genuine.With("sign", null))),
            ("signed with another key", "Alipay.BadSignature", NotifyAlipay(test, Resign(genuine, "alipay/other-private.pem"))),
            ("wrong amount, correctly signed", "Alipay.AmountMismatch", NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("1.00"), tradeNo))),
            ("another order's amount for this order, correctly signed", "Alipay.AmountMismatch", NotifyAlipay(test, GatewayDouble.AlipayNotification(other.OutTradeNo, Money.Parse("100.00"), tradeNo))),
            ("another seller", "Alipay.WrongSeller", NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("100.00"), tradeNo, sellerId: "2088999999999999"))),
            ("another app", "Alipay.WrongAppId", NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("100.00"), tradeNo, appId: "2021999999999999"))),
            ("unknown order", "Alipay.UnknownTrade", NotifyAlipay(test, GatewayDouble.AlipayNotification("CB20261127000000UNKNOWN", Money.Parse("100.00"), tradeNo))),
            ("UnionPay tampered amount", "UnionPay.BadSignature", NotifyUnionPay(test, genuineUnion.With("txnAmt", "100000"))),
            ("UnionPay wrong txnTime", "UnionPay.OtherOrder", NotifyUnionPay(test, GatewayDouble.UnionPayNotification(union.OutTradeNo, union.TxnTime.AddSeconds(1), Money.Parse("100.00"), "Q1"))),
            ("UnionPay another merchant", "UnionPay.WrongMerchant", NotifyUnionPay(test, GatewayDouble.UnionPayNotification(union.OutTradeNo, union.TxnTime, Money.Parse("100.00"), "Q1", merId: "777009999999999"))),
            ("UnionPay missing signature", "UnionPay.MissingSignature", NotifyUnionPay(test, genuineUnion.With("signature", null))),
        };

        foreach (var (name, refusal, reply) in attempts)
        {
            var answer = await reply;
            Assert.True(answer.StatusCode == 400, $"{name}: {answer.StatusCode} {answer.Body}");
            Assert.NotEqual("success", answer.Body);
            Assert.True(refusal == answer.RefusedBecause, $"{name}: refused because {answer.RefusedBecause}, expected {refusal}");
        }
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal(Money.Parse("5.00"), (await test.Balance(account)).Cash);
    }

    private static List<KeyValuePair<string, string>> Resign(List<KeyValuePair<string, string>> fields, string privateKeyFile)
    {
        using var key = System.Security.Cryptography.RSA.Create();
        key.ImportFromPem(PaymentVectors.Text(privateKeyFile));
        return fields.With("sign", Cloudbill.Core.Payments.Alipay.AlipaySignature.Sign(Cloudbill.Core.Payments.Alipay.AlipaySignature.NotificationSignContent(fields.With("sign", null)), key));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_Huabei_or_credit_card_payment_is_refunded_flagged_and_never_credited(DatabaseProvider provider) // R7.2
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer("1.00");
        var huabei = (await TopUp(test, account, "200.00")).Value.Payment;
        var card = (await TopUp(test, account, "300.00")).Value.Payment;

        var reply = await NotifyAlipay(test, GatewayDouble.AlipayNotification(huabei.OutTradeNo, Money.Parse("200.00"), gateways.Pay(huabei.OutTradeNo, Money.Parse("200.00"), "PCREDIT"), channel: "PCREDIT"));
        // The notification was lost; the query's fund_bill_list shows the credit card.
        gateways.Pay(card.OutTradeNo, Money.Parse("300.00"), "BANKCARD", "CREDIT_CARD");
        test.Clock.Advance(GatewayCheckouts.FirstQueryAfter);
        await test.Run<GatewayPoller, int>((p, ct) => p.RunDue(ct));

        Assert.Equal("success", reply.Body);
        Assert.Equal(Money.Parse("1.00"), (await test.Balance(account)).Cash);
        Assert.Equal(2, gateways.Refunds);
        foreach (var (outTradeNo, channel) in new[] { (huabei.OutTradeNo, "Huabei"), (card.OutTradeNo, "CreditCard") })
        {
            var refunded = await Payment(test, outTradeNo);
            Assert.Equal(GatewayPaymentState.Refunded, refunded.State);
            Assert.Equal(outTradeNo + "R1", refunded.RefundRequestNo);
            Assert.Equal($"Paid with {channel}, which is refused (R7.2); refunded in full at Alipay.", refunded.Flag);
        }
        var notice = await test.Query(db => db.Notifications.FirstAsync(n => n.CauseKey == $"payment:{huabei.OutTradeNo}:refused"));
        Assert.Contains("used Huabei, which Cloudbill does not accept", notice.Body(), StringComparison.Ordinal);
        Assert.Equal(0, await test.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey.EndsWith(":received"))));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_top_up_requests_get_a_precise_error_and_change_nothing(DatabaseProvider provider) // R7.2
    {
        var (test, _) = await Start(provider);
        await using var __ = test;
        var account = await test.Customer("10.00");
        var before = await test.Snapshot();

        var cases = new (string? Amount, string? Method, string Code, string Message)[]
        {
            ("0", "Alipay", "TopUp.AmountTooSmall", "A top-up must be at least 1.00 CNY; 0.00 CNY was asked."),
            ("0.99", "Alipay", "TopUp.AmountTooSmall", "A top-up must be at least 1.00 CNY; 0.99 CNY was asked."),
            ("-5", "Alipay", "TopUp.AmountTooSmall", "A top-up must be at least 1.00 CNY; -5.00 CNY was asked."),
            ("0.001", "Alipay", "TopUp.AmountInvalid", "The top-up amount is not valid: '0.001' has more than two decimals; amounts are exact to the fen (0.01)."),
            ("1000000.01", "Alipay", "TopUp.AmountTooLarge", "A top-up can be at most 1000000.00 CNY; 1000000.01 CNY was asked. Split it into several top-ups."),
            ("abc", "Alipay", "TopUp.AmountInvalid", "The top-up amount is not valid: 'abc' is not an amount; write yuan with up to two decimals, for example 100.00."),
            ("", "Alipay", "TopUp.AmountInvalid", "The top-up amount is not valid: An amount is required, for example 100.00."),
            ("100.00", "Huabei", "Payment.MethodRefused", "Huabei cannot be used to pay Cloudbill: Huabei and credit cards are not accepted. Choose Alipay (balance or debit card) or UnionPay."),
            ("100.00", "credit card", "Payment.MethodRefused", "credit card cannot be used to pay Cloudbill: Huabei and credit cards are not accepted. Choose Alipay (balance or debit card) or UnionPay."),
            ("100.00", "WeChatPay", "Payment.MethodUnknown", "'WeChatPay' is not a payment method; choose Alipay or UnionPay."),
            ("100.00", null, "Payment.MethodMissing", "Choose a payment method: Alipay or UnionPay."),
        };
        foreach (var (amount, method, code, message) in cases)
        {
            var result = await TopUp(test, account, amount, method);
            Assert.False(result.Succeeded, $"{amount} {method}");
            Assert.Equal((code, message), (result.Problem!.Code, result.Problem.Message));
            Assert.Equal(ProblemKind.Invalid, result.Problem.Kind);
        }
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal(0, await test.Query(db => db.GatewayPayments.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_top_up_on_an_overdue_account_settles_the_debt_first_and_restarts_stopped_pay_as_you_go_instances(DatabaseProvider provider) // R7.4, R8.2, R7.1
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer("10.00", creditLine: "20.00");
        var web = await test.PayAsYouGoInstance(account, "i-payg-overdue");
        // Hourly charges at 0.63: the cash and the credit line (30.00) run out after 48 hours, the rest is overdue, and the instance stops 15 days later.
        await test.RunEvery(TimeSpan.FromHours(6), GatewayDouble.Start.AddDays(18));
        Assert.NotNull((await test.Reload(web.Id)).StoppedAt);
        var owed = (await test.Balance(account)).Overdue;
        Assert.True(owed > Money.Parse("100.00"), $"owed {owed}");
        Assert.Equal(Money.Parse("-20.00"), (await test.Balance(account)).Cash);

        // A top-up smaller than the debt settles part of it; the instance stays stopped and paid actions stay refused (R7.4).
        var partial = (await TopUp(test, account, "100.00")).Value.Payment;
        await NotifyAlipay(test, GatewayDouble.AlipayNotification(partial.OutTradeNo, Money.Parse("100.00"), gateways.Pay(partial.OutTradeNo, Money.Parse("100.00"))));
        var balance = await test.Balance(account);
        Assert.Equal((Money.Parse("-20.00"), owed - Money.Parse("100.00")), (balance.Cash, balance.Overdue));
        Assert.Equal($"Top-up of 100.00 CNY by Alipay credited. 100.00 CNY settled your overdue payment; {owed - Money.Parse("100.00")} CNY is still overdue.", (await Payment(test, partial.OutTradeNo)).Outcome);
        Assert.NotNull((await test.Reload(web.Id)).StoppedAt);

        // The next one, by UnionPay, settles the rest and restarts the instance; the remainder is cash.
        var rest = (await TopUp(test, account, "500.00", "UnionPay")).Value.Payment;
        await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(rest.OutTradeNo, rest.TxnTime, Money.Parse("500.00"), gateways.Pay(rest.OutTradeNo, Money.Parse("500.00"))));

        balance = await test.Balance(account);
        Assert.Equal(Money.Zero, balance.Overdue);
        Assert.Equal(Money.Parse("580.00") - owed, balance.Cash);                  // 600.00 arrived, the debt and the used credit line repaid
        Assert.Equal(balance.Cash + Money.Parse("20.00"), balance.AvailableCredit); // R7.1: cash + credit line − overdue
        Assert.Null((await test.Reload(web.Id)).StoppedAt);
        Assert.Equal($"Top-up of 500.00 CNY by UnionPay credited. {owed - Money.Parse("100.00")} CNY settled your overdue payment; nothing is overdue any more. Restarted: i-payg-overdue.",
            (await Payment(test, rest.OutTradeNo)).Outcome);
        Assert.Null(await test.OverdueSince(account));
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_double_click_on_top_up_starts_one_payment(DatabaseProvider provider) // R5.4 for payments
    {
        var (test, _) = await Start(provider);
        await using var __ = test;
        var account = await test.Customer();

        var clicks = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => TopUp(test, account, "100.00", token: "one-click")));

        Assert.All(clicks, c => Assert.True(c.Succeeded, c.Problem?.Message));
        Assert.Single(clicks.Select(c => c.Value.Payment.OutTradeNo).Distinct());
        Assert.Equal(1, await test.Query(db => db.GatewayPayments.CountAsync()));
        var reused = await TopUp(test, account, "200.00", token: "one-click");
        Assert.Equal("ClientToken.Reused", reused.Problem!.Code);
    }
}
