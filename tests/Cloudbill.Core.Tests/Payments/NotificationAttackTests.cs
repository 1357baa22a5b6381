using Cloudbill.Core.Audit;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using static Cloudbill.Core.Tests.TopUpTests;

namespace Cloudbill.Core.Tests;

/// <summary>
/// Notifications an attacker could send to the notify URLs: forged, signed for another amount
/// or merchant, for a trade we never created, replayed. Each is refused (a replay acknowledged
/// again), nothing is credited or credited twice, and each refusal is in the audit log.
/// </summary>
public class NotificationAttackTests
{
    private static Task<List<AuditEvent>> Rejections(TestServices test) =>
        test.Query(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.AuditEvents.Where(e => e.Kind == AuditEventKind.NotificationRejected).OrderBy(e => e.Id)));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Forged_mismatched_unknown_and_replayed_Alipay_notifications_credit_nothing_more_and_are_logged(DatabaseProvider provider) // R7.3, R10.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "80.00")).Value.Payment;
        var tradeNo = gateways.Pay(payment.OutTradeNo, Money.Parse("80.00"));
        var genuine = GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("80.00"), tradeNo);

        var forged = await NotifyAlipay(test, genuine.With("total_amount", "8000.00"));
        var otherAmount = await NotifyAlipay(test, GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("8000.00"), tradeNo));
        var unknown = await NotifyAlipay(test, GatewayDouble.AlipayNotification("T20261127999999", Money.Parse("80.00"), "2026112722001400000000000099"));

        Assert.Equal([(400, AlipayErrors.Codes.BadSignature), (400, AlipayErrors.Codes.AmountMismatch), (400, AlipayErrors.Codes.UnknownTrade)],
            new[] { forged, otherAmount, unknown }.Select(r => (r.StatusCode, r.RefusedBecause)));
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        Assert.Equal(GatewayPaymentState.Pending, (await Payment(test, payment.OutTradeNo)).State);

        var first = await NotifyAlipay(test, genuine);
        var replayed = await NotifyAlipay(test, genuine);

        Assert.Equal([(200, "success"), (200, "success")], new[] { first, replayed }.Select(r => (r.StatusCode, r.Body)));
        Assert.Equal(Money.Parse("80.00"), (await test.Balance(account)).Cash);
        var events = await AuditLogTests.Events(test, account);
        Assert.Equal($"alipay:{payment.OutTradeNo}:received: +80.00 CNY", Assert.Single(events, e => e.Kind == AuditEventKind.GatewayPaymentReceived).Detail);
        var rejections = await Rejections(test);
        Assert.Equal([AlipayErrors.Codes.BadSignature, AlipayErrors.Codes.AmountMismatch, AlipayErrors.Codes.UnknownTrade],
            rejections.Select(e => e.Detail.Split(' ')[1].TrimEnd(',')));
        Assert.All(rejections, e => Assert.Equal((AuditActor.Gateway, "Alipay"), (e.Actor, e.ActorId)));
        // Only a verified notification that names our payment is the account's; a forged one only claims the trade.
        Assert.Equal([null, account, null], rejections.Select(e => e.AccountId));
        Assert.Contains($"trade {payment.OutTradeNo}", rejections[0].Detail, StringComparison.Ordinal);
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Forged_mismatched_unknown_and_replayed_UnionPay_notifications_credit_nothing_more_and_are_logged(DatabaseProvider provider) // R7.3, R10.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "30.00", "UnionPay")).Value.Payment;
        var queryId = gateways.Pay(payment.OutTradeNo, Money.Parse("30.00"));
        var genuine = GatewayDouble.UnionPayNotification(payment.OutTradeNo, payment.TxnTime, Money.Parse("30.00"), queryId);

        var forged = await NotifyUnionPay(test, genuine.With("txnAmt", "3000000"));
        var otherAmount = await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(payment.OutTradeNo, payment.TxnTime, Money.Parse("30000.00"), queryId));
        var otherMerchant = await NotifyUnionPay(test, GatewayDouble.UnionPayNotification(payment.OutTradeNo, payment.TxnTime, Money.Parse("30.00"), queryId, merId: "777290058110097"));
        var unknown = await NotifyUnionPay(test, GatewayDouble.UnionPayNotification("U2026112799999999", payment.TxnTime, Money.Parse("30.00"), "999999999999999999"));

        Assert.All(new[] { forged, otherAmount, otherMerchant, unknown }, r => Assert.Equal(400, r.StatusCode));
        Assert.Equal([UnionPayErrors.Codes.BadSignature, UnionPayErrors.Codes.AmountMismatch, UnionPayErrors.Codes.WrongMerchant, UnionPayErrors.Codes.UnknownTrade],
            new[] { forged, otherAmount, otherMerchant, unknown }.Select(r => r.RefusedBecause));
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);

        var first = await NotifyUnionPay(test, genuine);
        var replayed = await NotifyUnionPay(test, genuine);

        Assert.Equal([UnionPayNotification.AcknowledgementStatusCode, UnionPayNotification.AcknowledgementStatusCode], new[] { first.StatusCode, replayed.StatusCode });
        Assert.Equal(Money.Parse("30.00"), (await test.Balance(account)).Cash);
        Assert.Single(await AuditLogTests.Events(test, account), e => e.Kind == AuditEventKind.GatewayPaymentReceived);
        var rejections = await Rejections(test);
        Assert.Equal([UnionPayErrors.Codes.BadSignature, UnionPayErrors.Codes.AmountMismatch, UnionPayErrors.Codes.WrongMerchant, UnionPayErrors.Codes.UnknownTrade],
            rejections.Select(e => e.Detail.Split(' ')[1].TrimEnd(',')));
        Assert.All(rejections, e => Assert.Equal((AuditActor.Gateway, "UnionPay"), (e.Actor, e.ActorId)));
        Assert.True((await Reconcile(test)).IsClean);
    }
}
