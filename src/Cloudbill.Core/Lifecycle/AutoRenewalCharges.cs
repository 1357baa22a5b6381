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

/// <summary>An auto-renewal attempt's result: the order (paid, or cancelled at once, R4.4) and, when it failed, the shared decision's refusal.</summary>
internal sealed record ChargeAttempt(Order Order, ChargeRefusal? Refusal)
{
    public bool Paid => Refusal is null;
}

/// <summary>
/// The auto-renewal charges of one claimed batch, set-based (docs/decisions/0013): the batch's
/// accounts' balances, credit lines and coupons are read once, each charge is decided in memory
/// in due order against what the account has left, and the orders, postings and running
/// balances are written for the whole batch at once. The caller holds the accounts' locks, so
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
    private readonly List<(Order Order, long CashAccountId)> paid = [];
    private readonly Dictionary<long, long> cashDeltaFen = [];
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

        while (true)
        {
            var order = orders.NewOrder(instance.AccountId, draft, ClientToken.ForSystem(action.Key));
            var coupon = BalanceCharges.EligibleCoupons(account.Coupons, facts, now).FirstOrDefault();
            if (coupon is not null)
            {
                order.CouponId = coupon.Coupon.Id;
                order.CouponDeduction = coupon.Deduction;
                order.Payable = draft.AmountBeforeCoupon - coupon.Deduction;
            }

            // The one money path (docs/decisions/0017): R7.4, R7.1 and R3.5 decided as for a
            // customer's own payment, on the balance this batch has left.
            var decision = BalanceCharges.Decide(account.Balance, order.Payable, "This auto-renewal", [(instance, product)], now);
            if (decision.Refusal is { } refusal)
            {
                // R4.4: no order stays unpaid; the coupon was never taken.
                order.Status = OrderStatus.Cancelled;
                order.CancelledAt = now;
                order.CancelReason = CancelReason.PaymentFailed;
                placed.Add(order);
                return new ChargeAttempt(order, refusal);
            }

            if (coupon is not null && !await TakeCoupon(coupon.Coupon, order.CouponDeduction, ct))
            {
                // A customer's order froze or used it since it was read: judge the account's coupons again.
                account.Coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == instance.AccountId && c.FrozenByOrderId == null).ToListAsync(ct);
                continue;
            }

            if (account.CashAccountId is null)
                account.CashAccountId = (await ledger.OpenCustomerAccounts(instance.AccountId, ct)).Cash;
            order.Status = OrderStatus.Paid;
            order.PaidAt = now;
            order.PaidWith = PaymentMethod.Balance;
            OrderPayments.ExtendLine(order, order.Lines[0], instance, product, now);
            placed.Add(order);
            account.Cash -= order.Payable;
            var cashAccountId = account.CashAccountId.Value;
            cashDeltaFen[cashAccountId] = checked(cashDeltaFen.GetValueOrDefault(cashAccountId) - order.Payable.Fen);
            paid.Add((order, cashAccountId));
            return new ChargeAttempt(order, null);
        }
    }

    /// <summary>R6.3, R6.4: the deduction is taken at once from an unfrozen coupon (no order freezes it first), through the one money path.</summary>
    private async Task<bool> TakeCoupon(Coupon coupon, Money deduction, CancellationToken ct)
    {
        var taken = await BalanceCharges.ConsumeCoupon(db, coupon.Id, coupon.Remaining, deduction, heldByOrderId: null, ct);
        if (taken)
            coupon.Remaining -= deduction;
        return taken;
    }

    /// <summary>Writes the batch's orders, paid or cancelled, so that they have their ids (they name the payments, notices and action records).</summary>
    public async Task SaveOrders(DatabaseProvider provider, CancellationToken ct)
    {
        if (provider != DatabaseProvider.Postgres)
        {
            db.Orders.AddRange(placed);
            await db.SaveChangesAsync(ct);
            return;
        }
        var ids = await PostgresBulkWrites.NextIds<Order>(db, placed.Count, ct);
        for (var n = 0; n < placed.Count; n++)
        {
            placed[n].Id = ids[n];
            foreach (var line in placed[n].Lines)
                line.OrderId = ids[n];
        }
        await PostgresBulkWrites.Insert(db, placed, ct, withKeys: true);
        await PostgresBulkWrites.Insert(db, placed.SelectMany(o => o.Lines).ToList(), ct);
    }

    /// <summary>
    /// After the orders are saved: writes each paid order's journal transaction under its payment
    /// key (R10.3), then moves the running balances, one move per customer cash account.
    /// </summary>
    public async Task SavePayments(DatabaseProvider provider, CancellationToken ct)
    {
        if (paid.Count == 0)
            return;
        cache.RevenueAccountId ??= await ledger.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct);
        cache.CouponExpenseAccountId ??= await ledger.SystemAccount(LedgerService.CouponExpenseCode, LedgerAccountKind.CouponExpense, ct);
        var revenue = cache.RevenueAccountId.Value;
        var couponExpense = cache.CouponExpenseAccountId.Value;
        var transactions = new List<JournalTransaction>(paid.Count);
        foreach (var (order, cashAccountId) in paid)
        {
            var owners = new Dictionary<long, long?> { [cashAccountId] = order.AccountId, [revenue] = null, [couponExpense] = null };
            var staged = ledger.Stage(OrderPayments.PaymentKey(order.Id), OrderPayments.PaymentDescription(order),
                OrderPayments.PaymentLines(order, cashAccountId, couponExpense, revenue), owners);
            if (!staged.Succeeded)
                throw new InvalidOperationException($"Payment postings of order {order.Id} were refused: {staged.Problem!.Message}");
            transactions.Add(staged.Value);
        }

        if (provider == DatabaseProvider.Postgres)
        {
            var ids = await PostgresBulkWrites.NextIds<JournalTransaction>(db, transactions.Count, ct);
            for (var n = 0; n < transactions.Count; n++)
            {
                transactions[n].Id = ids[n];
                foreach (var posting in transactions[n].Postings)
                    posting.TransactionId = ids[n];
            }
            await PostgresBulkWrites.Insert(db, transactions, ct, withKeys: true);
            await PostgresBulkWrites.Insert(db, transactions.SelectMany(t => t.Postings).ToList(), ct);
            await PostgresBulkWrites.Insert(db, transactions.Select(t => ledger.Audit.OfTransaction(t, AuditEventKind.AutoRenewalCharged)).OfType<AuditEvent>().ToList(), ct);
        }
        else
        {
            db.JournalTransactions.AddRange(transactions);
            ledger.Audit.AddTransactions(transactions, AuditEventKind.AutoRenewalCharged);
            await db.SaveChangesAsync(ct);
        }
        await ledger.MoveRunningBalances(cashDeltaFen, provider, ct);
    }
}
