using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Lifecycle;

/// <summary>The shared ledger accounts charges post to, looked up once per engine run.</summary>
internal sealed class EngineRunCache
{
    public long? RevenueAccountId { get; set; }
    public long? CouponExpenseAccountId { get; set; }
}

/// <summary>An auto-renewal attempt's result: the order (paid, or cancelled at once, R4.4) and its payment plan, approved or refused.</summary>
internal sealed record ChargeAttempt(Order Order, PaymentPlan Plan)
{
    public bool Paid => Plan.Approved;
}

/// <summary>
/// The auto-renewal charges of one claimed batch, set-based (docs/decisions/0013): the batch's
/// accounts' balances, credit lines and coupons are read once, each charge is a
/// <see cref="PaymentPlan"/> decided in memory in due order against what the account has left
/// (docs/decisions/0028), and the plans' orders, postings and running balances are written for
/// the whole batch at once, through the ledger's one write path. The caller holds the accounts' locks, so
/// no other payer of these accounts runs meanwhile; the coupon is still taken with a
/// conditional update, because a customer may freeze one for an order without the lock (R6.4).
/// </summary>
internal sealed class AutoRenewalCharges(CloudbillDbContext db, LedgerService ledger, OrderService orders, TimeProvider clock)
{
    private sealed class AccountState
    {
        public Money CreditLine { get; init; }
        public long? CashAccountId { get; set; }
        public Money Cash { get; set; }
        public Money Owed { get; set; }
        public List<Coupon> Coupons { get; set; } = [];

        public AccountBalance Balance => new(Cash, CreditLine, -Owed);
    }

    private readonly Dictionary<long, AccountState> accounts = [];
    private readonly List<Order> placed = [];
    private readonly List<PaymentPlan> paid = [];
    private EngineRunCache cache = new();

    /// <summary>
    /// Reads what the charges of these (locked) accounts need, one query each. The version bump
    /// is the account lock's (<see cref="AccountLock.Acquire"/>), for all of them in one statement.
    /// </summary>
    public async Task Load(IReadOnlyCollection<long> accountIds, EngineRunCache runCache, CancellationToken ct)
    {
        cache = runCache;
        var ids = accountIds.Where(id => !accounts.ContainsKey(id)).Distinct().Order().ToArray();
        if (ids.Length == 0)
            return;
        await db.BillingAccounts.Where(a => ids.Contains(a.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);
        var creditLines = await db.BillingAccounts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.CreditLine }).ToListAsync(ct);
        var balances = await db.LedgerAccounts.AsNoTracking()
            .Where(a => a.BillingAccountId != null && ids.Contains(a.BillingAccountId.Value))
            .Select(a => new { a.Id, BillingAccountId = a.BillingAccountId!.Value, a.Kind, a.BalanceFen })
            .ToListAsync(ct);
        // Frozen coupons are refused anyway (R6.4); the rest are judged per order.
        var coupons = await db.Coupons.AsNoTracking().Where(c => ids.Contains(c.AccountId) && c.FrozenByOrderId == null).ToListAsync(ct);

        foreach (var account in creditLines)
        {
            var own = balances.Where(b => b.BillingAccountId == account.Id).ToList();
            var cash = own.FirstOrDefault(b => b.Kind == LedgerAccountKind.CustomerCash);
            var overdue = own.FirstOrDefault(b => b.Kind == LedgerAccountKind.CustomerOverdue);
            accounts[account.Id] = new AccountState
            {
                CreditLine = account.CreditLine,
                CashAccountId = cash?.Id,
                Cash = new Money(cash?.BalanceFen ?? 0),
                Owed = new Money(overdue?.BalanceFen ?? 0),
                Coupons = coupons.Where(c => c.AccountId == account.Id).ToList(),
            };
        }
    }

    /// <summary>
    /// R4.3 to R4.5: charges the balance for one auto-renewal attempt, with the best coupon
    /// (R6.6), or fails it; either way the order is added to the context, never left unpaid.
    /// A paid renewal moves the instance's expiry at once, so the attempt's later actions see it.
    /// </summary>
    public async Task<ChargeAttempt> Charge(Instance instance, Product product, Spec spec, int months, ScheduledAction action, CancellationToken ct)
    {
        if (!accounts.ContainsKey(instance.AccountId))
            await Load([instance.AccountId], cache, ct);
        var account = accounts[instance.AccountId];
        var now = clock.GetUtcNow();
        var price = LinePrice.For(product, spec, instance.RegionId, months, 1);
        var draft = new OrderDraft(OrderType.Renew, product.Code, ChargeType.Subscription,
            [new DraftLine(instance.Id, spec.Code, instance.RegionId, months, 1, price, ExpiresBefore: instance.ExpiresAt)]);
        var facts = new CouponFacts(product.Code, CouponOrderTypes.Renew, ChargeType.Subscription, draft.AmountBeforeCoupon);

        account.CashAccountId ??= (await ledger.OpenCustomerAccounts(instance.AccountId, ct)).Cash;
        cache.RevenueAccountId ??= await ledger.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct);
        cache.CouponExpenseAccountId ??= await ledger.SystemAccount(LedgerService.CouponExpenseCode, LedgerAccountKind.CouponExpense, ct);
        var ledgerAccounts = new PaymentAccounts(account.CashAccountId.Value, cache.CouponExpenseAccountId.Value, cache.RevenueAccountId.Value);

        while (true)
        {
            var order = orders.NewOrder(instance.AccountId, draft, ClientToken.ForSystem(action.Key));
            // R6.6: the best coupon is taken at once, never frozen first.
            var coupon = CouponRules.EligibleBestFirst(account.Coupons, facts, now).FirstOrDefault();
            if (coupon is not null)
                order.ApplyCoupon(coupon.Coupon.Id, coupon.Deduction);

            // The one payment pipeline (docs/decisions/0028): decided as for a customer's own
            // payment, on the balance this batch has left.
            var plan = PaymentPlan.For(new PaymentRequest(order, product, PaymentMethod.Balance, account.Balance, "This auto-renewal", [instance],
                coupon?.Coupon, ledgerAccounts, ByAutoRenewal: true, now));
            if (!plan.Approved)
            {
                // R4.4: no order stays unpaid; the coupon was never taken.
                order.Cancel(CancelReason.PaymentFailed, now);
                placed.Add(order);
                return new ChargeAttempt(order, plan);
            }

            if (plan.Coupon is { } use && !await CouponHolds.Consume(db, use.Coupon, use.Deduction, use.HeldByOrderId, ct))
            {
                // A customer's order froze or used it since it was read: judge the account's coupons again.
                account.Coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == instance.AccountId && c.FrozenByOrderId == null).ToListAsync(ct);
                continue;
            }

            OrderPayments.Settle(plan);
            placed.Add(order);
            account.Cash -= order.Payable;
            paid.Add(plan);
            return new ChargeAttempt(order, plan);
        }
    }

    /// <summary>Writes the batch's orders, paid or cancelled, so that they have their ids (they name the payments, notices and action records).</summary>
    public Task SaveOrders(CancellationToken ct) => OrderService.AddAll(db, placed, ct);

    /// <summary>
    /// After the orders are saved (the payment keys name them): stages each paid plan's journal
    /// transaction (R10.3) and writes them all through the ledger's one write path, set-based.
    /// </summary>
    public async Task SavePayments(CancellationToken ct)
    {
        var staged = paid.Select(plan => ledger.Stage(plan.PaymentKey, plan.PaymentDescription, plan.Postings, plan.LedgerCustomers) is { Succeeded: true } ok
            ? ok.Value
            : throw new InvalidOperationException($"Payment postings of order {plan.Order.Id} were refused.")).ToList();
        await ledger.Write(staged, AuditEventKind.AutoRenewalCharged, bulk: true, ct);
    }
}
