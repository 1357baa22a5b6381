using System.Data.Common;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>The HTTP answer a gateway expects: Alipay retries until it reads exactly "success", UnionPay until it gets a 200.</summary>
/// <param name="RefusedBecause">Why a notification was refused (the problem code), for the log and the tests; the gateway only sees the body.</param>
public sealed record NotificationReply(int StatusCode, string Body, string? RefusedBecause = null);

/// <summary>
/// The notify URLs (payments.md §3.5 step 3): signature first, then the merchant checks against
/// the payment we created, then the idempotent confirmation. A forged or mismatched notification
/// is refused with a 4xx and changes nothing; a repeat of an applied one is acknowledged again.
/// </summary>
public sealed class GatewayNotifications(
    CloudbillDbContext db,
    PaymentGateways gateways,
    GatewayConfirmations confirmations,
    GatewayPoller poller,
    Audit.AuditLog audit,
    Audit.AuditOrigin origin,
    ILogger<GatewayNotifications> logger)
{
    public async Task<NotificationReply> FromAlipay(IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        origin.ActAs(Audit.AuditActor.Gateway, nameof(PaymentGateway.Alipay));
        var refused = new NotificationReply(400, AlipayNotification.FailureReply);
        var acknowledged = new NotificationReply(200, AlipayNotification.SuccessReply);
        var alipay = gateways.Alipay;
        if (!alipay.Succeeded)
            return new NotificationReply(404, AlipayNotification.FailureReply);

        var verified = alipay.Value.VerifyNotification(fields);
        if (!verified.Succeeded)
            return await Refuse(PaymentGateway.Alipay, verified.Problem!, refused, Field(fields, "out_trade_no"), null, ct);
        var (payment, unavailable) = await Find(PaymentGateway.Alipay, verified.Value.OutTradeNo, ct);
        if (unavailable)
            return new NotificationReply(503, AlipayNotification.FailureReply);
        var notification = alipay.Value.CheckNotification(verified.Value, payment is null ? null : new AlipayExpectedPayment(payment.OutTradeNo, payment.Amount));
        if (!notification.Succeeded)
            return await Refuse(PaymentGateway.Alipay, notification.Problem!, refused, verified.Value.OutTradeNo, payment?.AccountId, ct);
        var notice = notification.Value;

        try
        {
            if (notice.IsRefund)
            {
                // Our own refund of a refused channel (or an operator's refund): never a new payment (§1.7).
                if (notice.RefundFee >= payment!.Amount)
                    await confirmations.MarkRefunded(payment.OutTradeNo, ct);
                return acknowledged;
            }
            if (!notice.IsPaid)
            {
                if (notice.TradeStatus == AlipayTradeStatus.TradeClosed)
                    await poller.MarkClosed(payment!.OutTradeNo, "Alipay closed the unpaid trade.", ct);
                return acknowledged;
            }
            if (notice.UsedBankCardOfUnknownType && !notice.UsedForbiddenChannel)
            {
                // §1.5: the card type is only known from a query with fund_bill_list.
                await poller.QueryAndApply(payment!, ct);
                return acknowledged;
            }

            var refusedChannel = notice.FundBills.FirstOrDefault(bill => bill.IsForbidden)?.Funding.ToString();
            var outcome = await confirmations.Confirm(PaymentGateway.Alipay,
                new GatewayConfirmation(notice.OutTradeNo, notice.TotalAmount, notice.TradeNo, "notification", refusedChannel), ct);
            if (outcome.Succeeded && outcome.Value.NeedsRefund)
                await poller.RequestRefund(outcome.Value.Payment, ct);
            return acknowledged;
        }
        catch (Exception e) when (IsTransient(e))
        {
            // Transient (database busy or down): anything but "success" makes Alipay send it again.
            logger.LogWarning(e, "Alipay notification for {OutTradeNo} could not be applied now; Alipay will send it again", notice.OutTradeNo);
            return new NotificationReply(503, AlipayNotification.FailureReply);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await BrokenInvariant(PaymentGateway.Alipay, notice.OutTradeNo, e, ct);
            return new NotificationReply(500, AlipayNotification.FailureReply, NotAppliedCode);
        }
    }

    public async Task<NotificationReply> FromUnionPay(IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        origin.ActAs(Audit.AuditActor.Gateway, nameof(PaymentGateway.UnionPay));
        var refused = new NotificationReply(400, "refused");
        var unionPay = gateways.UnionPay;
        if (!unionPay.Succeeded)
            return new NotificationReply(404, "not configured");

        var verified = unionPay.Value.VerifyNotification(fields);
        if (!verified.Succeeded)
            return await Refuse(PaymentGateway.UnionPay, verified.Problem!, refused, Field(fields, "orderId"), null, ct);
        if (verified.Value.TxnType == UnionPayNotification.RefundTxnType)
            return await RefundFromUnionPay(unionPay.Value, verified.Value, refused, ct);
        var (payment, unavailable) = await Find(PaymentGateway.UnionPay, verified.Value.OrderId, ct);
        if (unavailable)
            return new NotificationReply(UnionPayNotification.RetryStatusCode, "retry");
        var notification = unionPay.Value.CheckNotification(verified.Value, payment is null ? null : new UnionPayExpectedPayment(payment.OutTradeNo, payment.TxnTime, payment.Amount));
        if (!notification.Succeeded)
            return await Refuse(PaymentGateway.UnionPay, notification.Problem!, refused, verified.Value.OrderId, payment?.AccountId, ct);

        try
        {
            if (notification.Value.IsPaid)
            {
                await confirmations.Confirm(PaymentGateway.UnionPay,
                    new GatewayConfirmation(payment!.OutTradeNo, notification.Value.Amount, notification.Value.QueryId ?? "", "notification"), ct);
            }
            return new NotificationReply(UnionPayNotification.AcknowledgementStatusCode, UnionPayNotification.AcknowledgementBody);
        }
        catch (Exception e) when (IsTransient(e))
        {
            logger.LogWarning(e, "UnionPay notification for {OutTradeNo} could not be applied now; UnionPay will send it again", notification.Value.OrderId);
            return new NotificationReply(UnionPayNotification.RetryStatusCode, "retry");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await BrokenInvariant(PaymentGateway.UnionPay, payment!.OutTradeNo, e, ct);
            return new NotificationReply(500, "not applied", NotAppliedCode);
        }
    }

    /// <summary>
    /// The result of one of our refunds (txnType 04, §2.5: back transactions notify success and
    /// failure): its orderId is the payment's refund number, its txnTime and amount the refund's.
    /// A success marks the payment Refunded; a failure changes nothing (the poller asks and resends).
    /// </summary>
    private async Task<NotificationReply> RefundFromUnionPay(UnionPayGateway unionPay, UnionPayNotification notice, NotificationReply refused, CancellationToken ct)
    {
        var acknowledged = new NotificationReply(UnionPayNotification.AcknowledgementStatusCode, UnionPayNotification.AcknowledgementBody);
        try
        {
            var payment = await db.GatewayPayments.AsNoTracking()
                .FirstOrDefaultAsync(p => p.Gateway == PaymentGateway.UnionPay && p.RefundRequestNo == notice.OrderId, ct);
            var expected = payment?.RefundTxnTime is { } txnTime ? new UnionPayExpectedPayment(notice.OrderId, txnTime, payment.Amount) : null;
            var check = unionPay.CheckNotification(notice, expected);
            if (!check.Succeeded)
                return await Refuse(PaymentGateway.UnionPay, check.Problem!, refused, notice.OrderId, payment?.AccountId, ct);
            if (notice.Response.IsSuccess)
                await confirmations.MarkRefunded(payment!.OutTradeNo, ct);
            return acknowledged;
        }
        catch (Exception e) when (IsTransient(e))
        {
            logger.LogWarning(e, "UnionPay refund notification {OrderId} could not be applied now; UnionPay will send it again", notice.OrderId);
            return new NotificationReply(UnionPayNotification.RetryStatusCode, "retry");
        }
    }

    /// <summary>The <see cref="NotificationReply.RefusedBecause"/> of a notification that broke an invariant.</summary>
    public const string NotAppliedCode = "Payment.NotApplied";

    /// <summary>
    /// A failure of the database that a later attempt can get past (busy, down, a lost race on a
    /// unique key, a time-out), also when EF wraps it. Anything else is a bug or broken data:
    /// resending will not help.
    /// </summary>
    internal static bool IsTransient(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is DbException or DbUpdateException or TimeoutException)
                return true;
        }
        return false;
    }

    /// <summary>
    /// A notification that cannot be applied for a reason a resend will not fix: logged as an error
    /// with the trade number and flagged on the payment, so `reconcile --gateways` lists it. The
    /// gateway still hears a failure (it resends, and a fixed build then applies it).
    /// </summary>
    private async Task BrokenInvariant(PaymentGateway gateway, string outTradeNo, Exception e, CancellationToken ct)
    {
        logger.LogError(e, "{Gateway} notification for {OutTradeNo} broke an invariant and was not applied; flagged for reconcile --gateways", gateway, outTradeNo);
        var flag = GatewayPayment.NotAppliedFlag + e.Message.Split('\n')[0].Trim();
        flag = flag.Length > 500 ? flag[..500] : flag;
        try
        {
            db.ChangeTracker.Clear();
            await db.GatewayPayments.Where(p => p.OutTradeNo == outTradeNo && p.Gateway == gateway)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Flag, flag), ct);
        }
        catch (Exception flagging) when (IsTransient(flagging))
        {
            logger.LogError(flagging, "{Gateway} payment {OutTradeNo} could not be flagged", gateway, outTradeNo);
        }
    }

    /// <summary>The payment a notification names; <c>Unavailable</c> when the database cannot say now (the gateway resends).</summary>
    private async Task<(GatewayPayment? Payment, bool Unavailable)> Find(PaymentGateway gateway, string outTradeNo, CancellationToken ct)
    {
        try
        {
            return (await db.GatewayPayments.AsNoTracking().FirstOrDefaultAsync(p => p.OutTradeNo == outTradeNo && p.Gateway == gateway, ct), false);
        }
        catch (Exception e) when (IsTransient(e))
        {
            logger.LogWarning(e, "{Gateway} notification for {OutTradeNo} could not be looked up now; the gateway will send it again", gateway, outTradeNo);
            return (null, true);
        }
    }

    /// <summary>
    /// Logs and audits a refusal. The trade number of an unverified notification is only what it
    /// claims (the audit row says "trade", not whose); the account only when it names our payment.
    /// </summary>
    private async Task<NotificationReply> Refuse(PaymentGateway gateway, Problems.Problem problem, NotificationReply reply, string? outTradeNo, long? accountId, CancellationToken ct)
    {
        logger.LogWarning("{Gateway} notification refused ({Code}): {Message}", gateway, problem.Code, problem.Message);
        try
        {
            await audit.NotificationRejected(gateway.ToString(), outTradeNo, accountId, problem.Code, ct);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The refusal stands without its row: the gateway resends a genuine notification anyway.
            logger.LogWarning(e, "{Gateway} notification refusal could not be written to the audit log", gateway);
        }
        return reply with { RefusedBecause = problem.Code };
    }

    private static string? Field(IReadOnlyList<KeyValuePair<string, string>> fields, string name) =>
        fields.FirstOrDefault(f => f.Key == name).Value;
}
