using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>What the gateway says about a trade when asked (payments.md §1.9, §2.6).</summary>
public enum GatewayTradeState
{
    Paid,

    /// <summary>Not paid (yet): no trade, waiting for the buyer, processing.</summary>
    NotPaid,

    /// <summary>Closed or failed at the gateway; after the deadline this is final.</summary>
    Closed,

    /// <summary>The gateway did not answer, or answered something we could not verify.</summary>
    Unknown,
}

public sealed record GatewayTradeStatus(GatewayTradeState State, Money? Amount, string? GatewayTradeNo, string? RefusedChannel, string Detail);

/// <summary>What the gateway says about a refund when asked.</summary>
public enum GatewayRefundState
{
    /// <summary>The money went back; <see cref="GatewayRefundStatus.Amount"/> says how much.</summary>
    Refunded,

    /// <summary>Accepted, not finished: ask again.</summary>
    Processing,

    /// <summary>The gateway has no such refund, or it failed: it can be sent again.</summary>
    Missing,

    /// <summary>No answer, or one we could not verify.</summary>
    Unknown,
}

public sealed record GatewayRefundStatus(GatewayRefundState State, Money? Amount, string Detail);

/// <summary>
/// The fallback for lost notifications (payments.md §3.5 step 4): asks the gateway about pending
/// payments on a schedule (5, 10, 30, 60, 120 minutes, then once after the deadline), applies a
/// paid answer through the same confirmation as a notification, closes abandoned payments, and
/// retries refunds of refused channels. Safe on many nodes: each due payment is leased with a
/// conditional update, and every effect is idempotent anyway.
/// </summary>
public sealed class GatewayPoller(
    CloudbillDbContext db,
    GatewayQueryThrottle throttle,
    PaymentGateways gateways,
    GatewayTransport transport,
    GatewayConfirmations confirmations,
    TimeProvider clock,
    ILogger<GatewayPoller> logger)
{
    private static readonly TimeSpan[] QuerySchedule = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(120)];

    /// <summary>After the deadline, a last look a minute later catches a payment made in its final second.</summary>
    private static readonly TimeSpan DeadlineGrace = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    internal static readonly TimeSpan LastLookAfterClose = TimeSpan.FromHours(26);

    /// <summary>Polls every payment due now; returns how many it looked at.</summary>
    public async Task<int> RunDue(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.GatewayPayments.AsNoTracking().Where(p => p.NextQueryAt != null && p.NextQueryAt <= now)
            .OrderBy(p => p.NextQueryAt).Take(100).ToListAsync(ct);
        var polled = 0;
        foreach (var payment in due)
        {
            var leasedUntil = now + Lease;
            var leased = await db.GatewayPayments.Where(p => p.Id == payment.Id && p.NextQueryAt == payment.NextQueryAt)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextQueryAt, leasedUntil), ct);
            if (leased == 0)
                continue; // another node has it
            polled++;
            if (payment.State == GatewayPaymentState.Refunding)
                await RequestRefund(payment, ct);
            else if (payment.State is GatewayPaymentState.Pending or GatewayPaymentState.Closed)
                await QueryAndApply(payment, ct, scheduled: true);
        }
        return polled;
    }

    /// <summary>
    /// Asks the gateway now (the payment's page) and applies the answer; returns the payment as it
    /// stands after. At most one such look per payment every few seconds on a node, and it never
    /// moves the poller's schedule: reloading the page cannot make Cloudbill hammer the gateway.
    /// </summary>
    public async Task<Result<GatewayPayment>> QueryNow(long accountId, string outTradeNo, CancellationToken ct)
    {
        var payment = await db.GatewayPayments.AsNoTracking().FirstOrDefaultAsync(p => p.OutTradeNo == outTradeNo && p.AccountId == accountId, ct);
        if (payment is null)
            return PaymentErrors.NotFound(outTradeNo);
        if (payment.State == GatewayPaymentState.Pending && throttle.MayQuery(payment.OutTradeNo, clock.GetUtcNow()))
            await QueryAndApply(payment, ct, scheduled: false);
        return await db.GatewayPayments.AsNoTracking().FirstAsync(p => p.Id == payment.Id, ct);
    }

    /// <param name="scheduled">The poller's own look: it reschedules and closes; a look from a page or a notification does neither.</param>
    internal async Task QueryAndApply(GatewayPayment payment, CancellationToken ct, bool scheduled = false)
    {
        var now = clock.GetUtcNow();
        var status = await Query(payment, ct);
        switch (status.State)
        {
            case GatewayTradeState.Paid when status.Amount == payment.Amount:
                var outcome = await confirmations.Confirm(payment.Gateway,
                    new GatewayConfirmation(payment.OutTradeNo, payment.Amount, status.GatewayTradeNo ?? "", "query", status.RefusedChannel), ct);
                if (outcome.Succeeded && outcome.Value.NeedsRefund)
                    await RequestRefund(outcome.Value.Payment, ct);
                return;
            case GatewayTradeState.Paid:
                logger.LogError("{Gateway} reports {OutTradeNo} paid with {Reported}, not {Amount}; left for the operator (reconcile --gateways)",
                    payment.Gateway, payment.OutTradeNo, status.Amount, payment.Amount);
                await Flag(payment, $"{payment.Gateway} reports {status.Amount} CNY paid, not {payment.Amount}.", ct);
                return;
            case GatewayTradeState.NotPaid or GatewayTradeState.Closed when scheduled && payment.State == GatewayPaymentState.Closed:
                // The last look at a closed payment found nothing paid: it is final.
                await db.GatewayPayments.Where(p => p.Id == payment.Id && p.State == GatewayPaymentState.Closed)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextQueryAt, (DateTimeOffset?)null), ct);
                return;
            case GatewayTradeState.NotPaid or GatewayTradeState.Closed when scheduled && now >= payment.PayBy + DeadlineGrace:
                await Close(payment, status, ct);
                return;
            default:
                if (scheduled)
                    await ScheduleNext(payment, now, ct);
                return;
        }
    }

    /// <summary>The trade as the gateway sees it, verified; <see cref="GatewayTradeState.Unknown"/> on any doubt.</summary>
    public async Task<GatewayTradeStatus> Query(GatewayPayment payment, CancellationToken ct)
    {
        if (payment.Gateway == PaymentGateway.Alipay)
        {
            var alipay = gateways.Alipay;
            if (!alipay.Succeeded)
                return Unknown(alipay.Problem!);
            var request = alipay.Value.BuildQuery(payment.OutTradeNo);
            if (!request.Succeeded)
                return Unknown(request.Problem!);
            var body = await transport.Send(PaymentGateway.Alipay, request.Value, ct);
            if (!body.Succeeded)
                return Unknown(body.Problem!);
            var read = alipay.Value.ReadQueryResponse(body.Value);
            if (!read.Succeeded)
                return Unknown(read.Problem!);
            var answer = read.Value;
            if (answer.Status.IsTradeNotExist)
                return new GatewayTradeStatus(GatewayTradeState.NotPaid, null, null, null, "no trade at Alipay yet");
            if (!answer.Status.IsSuccess)
                return new GatewayTradeStatus(GatewayTradeState.Unknown, null, null, null, $"{answer.Status.Code} {answer.Status.SubCode}");
            if (answer.IsPaid)
            {
                // A signed answer about another trade is no answer about this one.
                if (!string.Equals(answer.OutTradeNo, payment.OutTradeNo, StringComparison.Ordinal))
                    return Unknown(AlipayErrors.OtherOrder(answer.OutTradeNo ?? "", payment.OutTradeNo));
                var refused = answer.FundBills.FirstOrDefault(bill => bill.IsForbidden)?.Funding.ToString();
                return new GatewayTradeStatus(GatewayTradeState.Paid, answer.TotalAmount, answer.TradeNo, refused, $"{answer.TradeStatus}");
            }
            return new GatewayTradeStatus(answer.TradeStatus == AlipayTradeStatus.TradeClosed ? GatewayTradeState.Closed : GatewayTradeState.NotPaid,
                answer.TotalAmount, answer.TradeNo, null, $"{answer.TradeStatus}");
        }

        var unionPay = gateways.UnionPay;
        if (!unionPay.Succeeded)
            return Unknown(unionPay.Problem!);
        var query = unionPay.Value.BuildQuery(payment.OutTradeNo, payment.TxnTime);
        if (!query.Succeeded)
            return Unknown(query.Problem!);
        var response = await transport.Send(PaymentGateway.UnionPay, query.Value, ct);
        if (!response.Succeeded)
            return Unknown(response.Problem!);
        var result = unionPay.Value.ReadQueryResponse(response.Value);
        if (!result.Succeeded)
            return Unknown(result.Problem!);
        var checkedResult = UnionPayGateway.CheckQueryResult(result.Value with { Amount = result.Value.State == UnionPayPaymentState.Paid ? payment.Amount : result.Value.Amount },
            new UnionPayExpectedPayment(payment.OutTradeNo, payment.TxnTime, payment.Amount));
        if (!checkedResult.Succeeded)
            return Unknown(checkedResult.Problem!); // a signed answer about another order (orderId + txnTime)
        return result.Value.State switch
        {
            UnionPayPaymentState.Paid => new GatewayTradeStatus(GatewayTradeState.Paid, result.Value.Amount, result.Value.QueryId, null, "paid"),
            UnionPayPaymentState.Failed => new GatewayTradeStatus(GatewayTradeState.Closed, result.Value.Amount, result.Value.QueryId, null, result.Value.OriginalResponse?.Meaning ?? "failed"),
            UnionPayPaymentState.Processing => new GatewayTradeStatus(GatewayTradeState.NotPaid, result.Value.Amount, result.Value.QueryId, null, "processing"),
            UnionPayPaymentState.NotFound => new GatewayTradeStatus(GatewayTradeState.NotPaid, null, null, null, "no such transaction at UnionPay yet"),
        };
    }

    /// <summary>
    /// Asks the gateway to refund a Refunding payment (a refused channel, R7.2, or a staff refund)
    /// and marks it Refunded once the gateway confirms; otherwise it is asked again in 5 minutes.
    /// The request number is the same every time, so the gateway refunds once.
    /// </summary>
    public async Task RequestRefund(GatewayPayment payment, CancellationToken ct)
    {
        if (payment.RefundRequestNo is null)
            return;
        var refunded = payment.Gateway switch
        {
            PaymentGateway.Alipay => await RefundAtAlipay(payment, ct),
            PaymentGateway.UnionPay => await RefundAtUnionPay(payment, ct),
        };

        if (refunded)
        {
            await confirmations.MarkRefunded(payment.OutTradeNo, ct);
            logger.LogInformation("Payment {OutTradeNo} refunded at {Gateway} ({Amount} CNY)", payment.OutTradeNo, payment.Gateway, payment.Amount);
        }
        else
        {
            // 5 minutes, doubling to about 21 hours: a refund the gateway keeps refusing (its window
            // passed, the merchant's balance is short) is left for an operator, whom reconcile tells.
            var retryAt = clock.GetUtcNow() + TimeSpan.FromMinutes(5L << Math.Min(payment.QueryCount, 8));
            await db.GatewayPayments.Where(p => p.Id == payment.Id && p.State == GatewayPaymentState.Refunding)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextQueryAt, retryAt).SetProperty(p => p.QueryCount, p => p.QueryCount + 1), ct);
        }
    }

    private async Task<bool> RefundAtAlipay(GatewayPayment payment, CancellationToken ct)
    {
        var alipay = gateways.Alipay;
        if (!alipay.Succeeded)
            return false;
        var request = alipay.Value.BuildRefund(new AlipayRefund(payment.OutTradeNo, payment.Amount, payment.RefundRequestNo!)
        {
            // What the payer reads at Alipay; staff's own reason stays in the audit log.
            Reason = GatewayRefunds.IsStaffRefund(payment) ? "Refunded by the merchant" : "Huabei and credit cards are not accepted",
        });
        return request.Succeeded && await transport.Send(PaymentGateway.Alipay, request.Value, ct) is { Succeeded: true } body
            && alipay.Value.ReadRefundResponse(body.Value) is { Succeeded: true } answer && answer.Value.Status.IsSuccess
            && (answer.Value.RefundFee is { } fee ? fee >= payment.Amount : answer.Value.FundChange);
    }

    /// <summary>
    /// §2.7: a refund sent before is asked about first; only one UnionPay does not know (or refused)
    /// is sent again, with a new txnTime (the old one is no longer current). A 00 answer only means
    /// accepted: the query says whether the money went back.
    /// </summary>
    private async Task<bool> RefundAtUnionPay(GatewayPayment payment, CancellationToken ct)
    {
        var unionPay = gateways.UnionPay;
        if (!unionPay.Succeeded || string.IsNullOrEmpty(payment.GatewayTradeNo))
            return false;
        if (payment.RefundTxnTime is not null)
        {
            var earlier = await QueryRefund(payment, ct);
            if (earlier.State != GatewayRefundState.Missing)
                return earlier.State == GatewayRefundState.Refunded;
        }

        // Only the one who moves RefundTxnTime from what it read sends: the request path and the poller never send the same refund twice.
        var txnTime = GatewayTime.WholeSeconds(clock.GetUtcNow());
        var sentBefore = payment.RefundTxnTime;
        var claimed = await db.GatewayPayments.Where(p => p.Id == payment.Id && p.State == GatewayPaymentState.Refunding && p.RefundTxnTime == sentBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RefundTxnTime, txnTime), ct);
        if (claimed == 0)
            return false;
        var request = unionPay.Value.BuildRefund(new UnionPayRefund(payment.RefundRequestNo!, txnTime, payment.GatewayTradeNo, payment.Amount));
        if (!request.Succeeded || await transport.Send(PaymentGateway.UnionPay, request.Value, ct) is not { Succeeded: true } body
            || unionPay.Value.ReadBackResponse(body.Value) is not { Succeeded: true } answer || !(answer.Value.IsSuccess || answer.Value.IsProcessing))
        {
            return false;
        }
        return (await QueryUnionPayRefund(payment, txnTime, ct)).State == GatewayRefundState.Refunded;
    }

    /// <summary>
    /// What the gateway says about a payment's refund (Alipay alipay.trade.fastpay.refund.query,
    /// UnionPay a query of the refund's orderId and txnTime): `reconcile --gateways` and the retries ask.
    /// </summary>
    public async Task<GatewayRefundStatus> QueryRefund(GatewayPayment payment, CancellationToken ct)
    {
        if (payment.RefundRequestNo is null)
            return new GatewayRefundStatus(GatewayRefundState.Missing, null, "no refund was requested");
        return payment.Gateway switch
        {
            PaymentGateway.Alipay => await QueryAlipayRefund(payment, ct),
            PaymentGateway.UnionPay => payment.RefundTxnTime is { } txnTime
                ? await QueryUnionPayRefund(payment, txnTime, ct)
                : new GatewayRefundStatus(GatewayRefundState.Missing, null, "the refund was not sent yet"),
        };
    }

    private async Task<GatewayRefundStatus> QueryAlipayRefund(GatewayPayment payment, CancellationToken ct)
    {
        var alipay = gateways.Alipay;
        if (!alipay.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, alipay.Problem!.Message);
        var request = alipay.Value.BuildRefundQuery(payment.OutTradeNo, payment.RefundRequestNo!);
        if (!request.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, request.Problem!.Message);
        var body = await transport.Send(PaymentGateway.Alipay, request.Value, ct);
        if (!body.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, body.Problem!.Message);
        var answer = alipay.Value.ReadRefundQueryResponse(body.Value);
        if (!answer.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, answer.Problem!.Message);
        // A signed answer about another refund is no answer about this one.
        if (answer.Value.Status.IsSuccess && ((answer.Value.OutTradeNo is { } trade && trade != payment.OutTradeNo)
            || (answer.Value.OutRequestNo is { } requestNo && requestNo != payment.RefundRequestNo)))
        {
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, $"Alipay answered about refund {answer.Value.OutRequestNo} of {answer.Value.OutTradeNo}");
        }
        if (answer.Value.IsRefunded)
            return new GatewayRefundStatus(GatewayRefundState.Refunded, answer.Value.RefundAmount, "refunded");
        // §1.9: 10000 without refund_amount is no such refund; a processing async refund is asked again.
        return answer.Value.Status.IsSuccess && answer.Value.RefundAmount is null
            ? new GatewayRefundStatus(GatewayRefundState.Missing, null, "no such refund at Alipay")
            : new GatewayRefundStatus(GatewayRefundState.Processing, answer.Value.RefundAmount, answer.Value.RefundStatus ?? $"{answer.Value.Status.Code} {answer.Value.Status.SubCode}");
    }

    private async Task<GatewayRefundStatus> QueryUnionPayRefund(GatewayPayment payment, DateTimeOffset txnTime, CancellationToken ct)
    {
        var unionPay = gateways.UnionPay;
        if (!unionPay.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, unionPay.Problem!.Message);
        var request = unionPay.Value.BuildQuery(payment.RefundRequestNo!, txnTime);
        if (!request.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, request.Problem!.Message);
        var body = await transport.Send(PaymentGateway.UnionPay, request.Value, ct);
        if (!body.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, body.Problem!.Message);
        var answer = unionPay.Value.ReadQueryResponse(body.Value);
        if (!answer.Succeeded)
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, answer.Problem!.Message);
        // A signed answer about another transaction (orderId + txnTime) is no answer about this refund.
        var expected = GatewayTime.ToCompact(txnTime);
        if (answer.Value.State != UnionPayPaymentState.NotFound
            && (answer.Value.OrderId != payment.RefundRequestNo || (answer.Value.Fields.TryGetValue("txnTime", out var sent) ? sent : "") != expected))
        {
            return new GatewayRefundStatus(GatewayRefundState.Unknown, null, $"UnionPay answered about {answer.Value.OrderId}, not refund {payment.RefundRequestNo} at {expected}");
        }
        return answer.Value.State switch
        {
            UnionPayPaymentState.Paid => new GatewayRefundStatus(GatewayRefundState.Refunded, answer.Value.Amount, "refunded"),
            UnionPayPaymentState.Processing => new GatewayRefundStatus(GatewayRefundState.Processing, answer.Value.Amount, "processing"),
            UnionPayPaymentState.Failed => new GatewayRefundStatus(GatewayRefundState.Missing, null, answer.Value.OriginalResponse?.Meaning ?? "failed"),
            UnionPayPaymentState.NotFound => new GatewayRefundStatus(GatewayRefundState.Missing, null, "no such refund at UnionPay"),
        };
    }

    /// <summary>The payer never paid by the deadline: close the trade at Alipay (§1.9) and here. A later confirmation is still credited.</summary>
    private async Task Close(GatewayPayment payment, GatewayTradeStatus status, CancellationToken ct)
    {
        if (payment.Gateway == PaymentGateway.Alipay && status.State == GatewayTradeState.NotPaid)
        {
            var alipay = gateways.Alipay;
            var closed = alipay.Succeeded && alipay.Value.BuildClose(payment.OutTradeNo) is { Succeeded: true } close
                && await transport.Send(PaymentGateway.Alipay, close.Value, ct) is { Succeeded: true } body
                && alipay.Value.ReadCloseResponse(body.Value) is { Succeeded: true } answer
                && (answer.Value.Status.IsSuccess || answer.Value.Status.IsTradeNotExist);
            if (!closed)
            {
                // Alipay would not close it (paid in the meantime, or no answer): look again, never close blind.
                await ScheduleNext(payment, clock.GetUtcNow(), ct);
                return;
            }
        }
        await MarkClosed(payment.OutTradeNo, $"Not paid by {Time.BusinessCalendar.FormatDateTime(payment.PayBy)} ({status.Detail}); closed.", ct);
    }

    /// <summary>Closed here; one last look a day later catches a payment whose every notification was lost (Alipay retries for 25 hours).</summary>
    internal async Task MarkClosed(string outTradeNo, string why, CancellationToken ct)
    {
        var lastLook = clock.GetUtcNow() + LastLookAfterClose;
        await db.GatewayPayments.Where(p => p.OutTradeNo == outTradeNo && p.State == GatewayPaymentState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, GatewayPaymentState.Closed)
                .SetProperty(p => p.Outcome, why)
                .SetProperty(p => p.NextQueryAt, (DateTimeOffset?)lastLook)
                .SetProperty(p => p.Version, p => p.Version + 1), ct);
    }

    private async Task ScheduleNext(GatewayPayment payment, DateTimeOffset now, CancellationToken ct)
    {
        var count = payment.QueryCount + 1;
        var next = count < QuerySchedule.Length ? payment.CreatedAt + QuerySchedule[count] : payment.PayBy + DeadlineGrace;
        if (next > payment.PayBy + DeadlineGrace)
            next = payment.PayBy + DeadlineGrace;
        if (next <= now)
            next = now + Lease;
        await db.GatewayPayments.Where(p => p.Id == payment.Id && p.State == GatewayPaymentState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextQueryAt, next).SetProperty(p => p.QueryCount, count), ct);
    }

    private async Task Flag(GatewayPayment payment, string flag, CancellationToken ct)
    {
        var retryAt = clock.GetUtcNow() + TimeSpan.FromHours(1);
        await db.GatewayPayments.Where(p => p.Id == payment.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Flag, flag).SetProperty(p => p.NextQueryAt, retryAt), ct);
    }

    private static GatewayTradeStatus Unknown(Problem problem) => new(GatewayTradeState.Unknown, null, null, null, problem.Message);
}
