using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Orders;

/// <summary>A payment attempt's result: the order, and whether it had already been paid (nothing charged again).</summary>
public sealed record PaymentOutcome(Order Order, bool AlreadyPaid, IReadOnlyList<string> CreatedInstanceIds);

/// <summary>
/// Pays orders and fulfils them in the same transaction: postings, coupon consumption, order
/// Paid, instances created or extended (ARCHITECTURE "One request, end to end", R5.5).
/// </summary>
public sealed class OrderPayments(
    CloudbillDbContext db,
    LedgerService ledger,
    ProductCatalog catalog,
    IInstanceProvisioner provisioner,
    TimeProvider clock)
{
    public static string PaymentKey(long orderId) => $"order:{orderId}:payment";

    /// <summary>
    /// R5.3: pays an order from Available Credit. A second call for a paid order charges nothing
    /// and returns it (a double click); a cancelled order cannot be paid.
    /// </summary>
    public async Task<Result<PaymentOutcome>> PayFromBalance(long accountId, long orderId, CancellationToken ct)
    {
        PaymentOutcome outcome;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Acquire(accountId, ct);
            var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
            if (order is null)
                return OrderErrors.NotFound(orderId);
            if (order.Status == OrderStatus.Paid)
                return new PaymentOutcome(order, AlreadyPaid: true, []);
            if (order.Status == OrderStatus.Cancelled)
                return OrderErrors.Cancelled(orderId);

            var balance = await ledger.Balance(accountId, ct);
            if (balance.Overdue.IsPositive)
                return OrderErrors.Overdue(balance.Overdue);
            if (balance.AvailableCredit < order.Payable)
                return OrderErrors.InsufficientCredit(orderId, order.Payable, balance.AvailableCredit);

            var (cash, _) = await ledger.OpenCustomerAccounts(accountId, ct);
            outcome = await ApplyPayment(order, PaymentMethod.Balance, cash, ct);
            await tx.CommitAsync(ct);
        }

        provisioner.Provision(outcome.CreatedInstanceIds);
        return outcome;
    }

    /// <summary>
    /// Marks an unpaid order paid inside the caller's transaction (holding the account lock):
    /// the payable leaves <paramref name="fundingAccountId"/> (customer cash, or a gateway's
    /// clearing account), the coupon's deduction is consumed, and the order is fulfilled.
    /// </summary>
    internal async Task<PaymentOutcome> ApplyPayment(Order order, PaymentMethod method, long fundingAccountId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var revenue = await ledger.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct);
        var couponExpense = await ledger.SystemAccount(LedgerService.CouponExpenseCode, LedgerAccountKind.CouponExpense, ct);
        var posted = await ledger.Post(PaymentKey(order.Id), $"Payment of order {order.Id} ({order.Type} {order.ProductCode})",
            [
                new PostingLine(fundingAccountId, -order.Payable),
                new PostingLine(couponExpense, -order.CouponDeduction),
                new PostingLine(revenue, order.AmountBeforeCoupon),
            ], ct);
        if (!posted.Succeeded)
            throw new InvalidOperationException($"Payment postings of order {order.Id} were refused: {posted.Problem!.Message}");

        if (order.CouponId is { } couponId)
        {
            // R6.3, R6.4: the deduction is consumed; what is left stays on the coupon.
            var coupon = await db.Coupons.FirstAsync(c => c.Id == couponId, ct);
            coupon.Remaining -= order.CouponDeduction;
            coupon.FrozenByOrderId = null;
        }

        order.Status = OrderStatus.Paid;
        order.PaidAt = now;
        order.PaidWith = method;
        var created = await Fulfil(order, now, ct);
        await db.SaveChangesAsync(ct);
        return new PaymentOutcome(order, AlreadyPaid: false, created);
    }

    private async Task<IReadOnlyList<string>> Fulfil(Order order, DateTimeOffset now, CancellationToken ct)
    {
        var product = catalog.GetProduct(order.ProductCode);
        var created = new List<string>();
        var sequence = await db.Instances.CountAsync(i => i.AccountId == order.AccountId && i.ProductCode == product.Code, ct);
        foreach (var line in order.Lines)
        {
            if (order.Type == OrderType.New)
            {
                for (var n = 0; n < line.Quantity; n++)
                {
                    sequence++;
                    var instance = new Instance
                    {
                        Id = InstanceIds.New(product.InstanceIdPrefix),
                        AccountId = order.AccountId,
                        ProductCode = product.Code,
                        SpecCode = line.SpecCode,
                        RegionId = line.RegionId,
                        Name = $"{product.Code}-{BusinessCalendar.LocalDate(now):yyyyMMdd}-{sequence:D3}",
                        ChargeType = order.SubscriptionType,
                        Provisioning = ProvisioningState.Creating,
                        CreatedAt = now,
                        // R1.3: purchase time + term, rounded up to the next 00:00.
                        ExpiresAt = BusinessCalendar.SubscriptionExpiry(now, line.Months),
                        RenewalMethod = line.RenewalMethod,
                        AutoRenewPeriodMonths = line.RenewalMethod == RenewalMethod.AutoRenewal ? line.AutoRenewPeriodMonths : null,
                        CreatedByOrderId = order.Id,
                    };
                    db.Instances.Add(instance);
                    created.Add(instance.Id);
                }
            }
            else
            {
                var instance = await db.Instances.FirstAsync(i => i.Id == line.InstanceId && i.AccountId == order.AccountId, ct);
                // R3.2: from the old expiry, also when already expired (no free time).
                line.ExpiresBefore = instance.ExpiresAt;
                instance.ExpiresAt = BusinessCalendar.AddMonths(instance.ExpiresAt ?? now, line.Months);
                line.ExpiresAfter = instance.ExpiresAt;
                if (instance.UnpaidOrderId == order.Id)
                    instance.UnpaidOrderId = null;
            }
        }
        return created;
    }
}
