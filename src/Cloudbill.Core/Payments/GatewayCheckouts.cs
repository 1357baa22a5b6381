using System.Globalization;
using System.Security.Cryptography;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Payments;

/// <summary>A payment sent to its gateway: post <see cref="Request"/> from the browser (<see cref="GatewayRequest.ToAutoSubmitHtml"/>).</summary>
public sealed record GatewayCheckout(GatewayPayment Payment, GatewayRequest Request);

/// <summary>
/// Starts payments at Alipay or UnionPay: the full amount of an order (R5.3) here, and the payment of
/// a top-up (R7.2) for TopUps.TopUpCheckouts.
/// Nothing is credited here; the gateway's confirmation does that (<see cref="GatewayConfirmations"/>).
/// </summary>
public sealed class GatewayCheckouts(CloudbillDbContext db, Ledger.LedgerService ledger, PaymentGateways gateways, TimeProvider clock)
{
    /// <summary>The poller's first look at a payment nobody confirmed (payments.md §2.6: about 5 minutes).</summary>
    public static readonly TimeSpan FirstQueryAfter = TimeSpan.FromMinutes(5);

    /// <summary>R7.2: Alipay or UnionPay only; Huabei and credit cards are refused by name.</summary>
    public static Result<PaymentGateway> ParseMethod(string? text)
    {
        var method = text?.Trim();
        if (string.IsNullOrEmpty(method))
            return PaymentErrors.MethodMissing();
        if (method.Equals("Alipay", StringComparison.OrdinalIgnoreCase))
            return PaymentGateway.Alipay;
        if (method.Equals("UnionPay", StringComparison.OrdinalIgnoreCase))
            return PaymentGateway.UnionPay;
        var squashed = new string(method.Where(char.IsAsciiLetter).ToArray());
        if (squashed.Equals("Huabei", StringComparison.OrdinalIgnoreCase) || squashed.Contains("credit", StringComparison.OrdinalIgnoreCase)
            || method.Contains("花呗", StringComparison.Ordinal) || method.Contains("信用卡", StringComparison.Ordinal))
        {
            return PaymentErrors.MethodRefused(method);
        }
        return PaymentErrors.MethodUnknown(method);
    }

    /// <summary>R5.3: the full payable of one unpaid order, at Alipay or UnionPay.</summary>
    /// <summary>Why a payment by this gateway cannot start at all (none configured, unknown, unavailable); null when it can. Asked before an order is placed for it.</summary>
    public Problem? Unavailable(string? methodText)
    {
        if (!gateways.AnyConfigured)
            return PaymentErrors.PaymentsNotConfigured();
        var method = ParseMethod(methodText);
        return method.Succeeded ? gateways.Check(method.Value) : method.Problem;
    }

    public async Task<Result<GatewayCheckout>> StartOrderPayment(long accountId, long orderId, string? methodText, PaymentDevice device, string? clientToken, CancellationToken ct)
    {
        if (!gateways.AnyConfigured)
            return PaymentErrors.PaymentsNotConfigured();
        var token = ClientToken.Parse(clientToken);
        if (!token.Succeeded)
            return token.Problem!;
        var method = ParseMethod(methodText);
        if (!method.Succeeded)
            return method.Problem!;
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
        if (order is null)
            return OrderErrors.NotFound(orderId);
        if (gateways.Check(method.Value) is { } unavailable)
            return unavailable;

        if (await Existing(accountId, token.Value, ct) is { } again)
            return again.OrderId == orderId && again.Gateway == method.Value
                ? Build(again)
                : Problem.Conflict("ClientToken.Reused", $"The client token {token.Value} was already used for another payment ({again.OutTradeNo}); use a new token.");

        if (order.Status != OrderStatus.Unpaid)
            return PaymentErrors.OrderNotPayable(orderId, order.Status.ToString().ToLowerInvariant());
        // R7.4: nothing that costs money while overdue, whoever pays for it.
        if ((await ledger.Balance(accountId, ct)).Overdue is { IsPositive: true } owed)
            return OrderErrors.Overdue(owed);
        if (!order.Payable.IsPositive)
            return PaymentErrors.OrderFree(orderId);
        return await Create(accountId, GatewayPaymentPurpose.Order, orderId, order.Payable, method.Value, device, token.Value, ct);
    }

    /// <summary>The same signed request again for a pending payment (the payer came back to the checkout page).</summary>
    public async Task<Result<GatewayCheckout>> Resume(long accountId, string outTradeNo, CancellationToken ct)
    {
        var payment = await db.GatewayPayments.AsNoTracking().FirstOrDefaultAsync(p => p.OutTradeNo == outTradeNo && p.AccountId == accountId, ct);
        if (payment is null)
            return PaymentErrors.NotFound(outTradeNo);
        if (payment.State != GatewayPaymentState.Pending || clock.GetUtcNow() >= payment.PayBy)
            return PaymentErrors.NotPending(outTradeNo, payment.State == GatewayPaymentState.Pending ? GatewayPaymentState.Closed : payment.State);
        return Build(payment);
    }

    internal Task<GatewayPayment?> Existing(long accountId, ClientToken token, CancellationToken ct) =>
        db.GatewayPayments.AsNoTracking().FirstOrDefaultAsync(p => p.AccountId == accountId && p.ClientToken == token.Value, ct);

    internal async Task<Result<GatewayCheckout>> Create(long accountId, GatewayPaymentPurpose purpose, long? orderId, Money amount, PaymentGateway gateway, PaymentDevice device, ClientToken token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var timeout = gateway == PaymentGateway.Alipay ? gateways.Alipay.Value.Settings.DefaultPaymentTimeout : gateways.UnionPay.Value.Settings.DefaultPaymentTimeout;
        var payment = new GatewayPayment
        {
            AccountId = accountId,
            Gateway = gateway,
            Purpose = purpose,
            OrderId = orderId,
            OutTradeNo = NewTradeNumber(now),
            ClientToken = token.Value,
            Amount = amount,
            Device = device,
            State = GatewayPaymentState.Pending,
            CreatedAt = now,
            TxnTime = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero),
            PayBy = now + timeout,
            NextQueryAt = now + FirstQueryAfter,
        };
        var checkout = Build(payment);
        if (!checkout.Succeeded)
            return checkout.Problem!;
        db.GatewayPayments.Add(payment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two clicks with one token at once: the other one created it.
            db.ChangeTracker.Clear();
            if (await Existing(accountId, token, ct) is { } raced)
            {
                return raced.Purpose == purpose && raced.OrderId == orderId && raced.Amount == amount && raced.Gateway == gateway
                    ? Build(raced)
                    : Problem.Conflict("ClientToken.Reused", $"The client token {token.Value} was already used for another payment ({raced.OutTradeNo}); use a new token.");
            }
            throw;
        }
        return checkout.Value;
    }

    internal Result<GatewayCheckout> Build(GatewayPayment payment)
    {
        var subject = payment.Purpose == GatewayPaymentPurpose.TopUp ? "Cloudbill top-up" : $"Cloudbill order {payment.OrderId}";
        if (payment.Gateway == PaymentGateway.Alipay)
        {
            var alipay = gateways.Alipay;
            if (!alipay.Succeeded)
                return alipay.Problem!;
            var request = alipay.Value.BuildCheckout(new AlipayCheckout(payment.OutTradeNo, payment.Amount, subject,
                payment.Device == PaymentDevice.Phone ? AlipayDevice.Phone : AlipayDevice.Desktop)
            {
                ReturnUrl = gateways.Url(PaymentGateways.AlipayReturnPath),
                QuitUrl = gateways.Url($"/payments/{payment.OutTradeNo}"),
                PaymentTimeout = WholeMinutes(payment.PayBy - clock.GetUtcNow(), payment.Device),
            });
            return request.Succeeded ? new GatewayCheckout(payment, request.Value) : request.Problem!;
        }

        var unionPay = gateways.UnionPay;
        if (!unionPay.Succeeded)
            return unionPay.Problem!;
        var front = unionPay.Value.BuildFrontConsume(new UnionPayCheckout(payment.OutTradeNo, payment.Amount,
            payment.Device == PaymentDevice.Phone ? UnionPayDevice.Phone : UnionPayDevice.Desktop, gateways.Url(PaymentGateways.UnionPayReturnPath))
        {
            TxnTime = payment.TxnTime,
            PaymentTimeout = payment.PayBy - payment.TxnTime,
        });
        return front.Succeeded ? new GatewayCheckout(payment, front.Value.Request) : front.Problem!;
    }

    // Alipay takes whole minutes (at least 5 on phones); a resumed checkout keeps the original deadline, rounded down.
    private static TimeSpan WholeMinutes(TimeSpan left, PaymentDevice device) =>
        TimeSpan.FromMinutes(Math.Max(device == PaymentDevice.Phone ? 5 : 1, (long)left.TotalMinutes));

    /// <summary>"CB" + Beijing time to the second + 12 random hex digits: unique, sortable, and valid for both gateways (letters and digits, 8–40).</summary>
    internal static string NewTradeNumber(DateTimeOffset now) =>
        "CB" + BusinessCalendar.ToLocal(now).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
}
