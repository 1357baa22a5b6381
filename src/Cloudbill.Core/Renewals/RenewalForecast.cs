using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Cloudbill.Core.Renewals;

/// <summary>
/// One auto-renewal charge the engine is due to attempt, priced as it will be; covered when the
/// balance decision approves it after every earlier charge (R7.1, and R7.4 while overdue).
/// </summary>
public sealed record ForecastCharge(
    string InstanceId,
    string InstanceName,
    string ProductCode,
    string RegionId,
    DateTimeOffset DueAt,
    int Months,
    DateTimeOffset CycleEnd,
    Money AmountBeforeCoupon,
    Money CouponDeduction,
    string? CouponName,
    Money Payable,
    Money CreditAfter,
    bool Covered);

/// <summary>The charges due on one business day (Asia/Shanghai) and the Available Credit left after them.</summary>
public sealed record ForecastDay(LocalDate Date, IReadOnlyList<ForecastCharge> Charges, Money Total, Money CreditAfter);

/// <summary>
/// The auto-renewal charges of the next days against Available Credit: when the credit runs
/// short and how much a top-up must bring so that every charge goes through.
/// </summary>
public sealed record RenewalForecastResult(
    AccountBalance Balance,
    DateTimeOffset From,
    DateTimeOffset Until,
    IReadOnlyList<ForecastDay> Days,
    Money Total,
    DateTimeOffset? RunsShortAt,
    Money Shortfall)
{
    public IEnumerable<ForecastCharge> Charges => Days.SelectMany(d => d.Charges);

    public bool Clear => Shortfall.IsZero;
}

/// <summary>
/// The renewal forecast: the lifecycle engine's own schedule (<see cref="LifecycleSchedule"/>),
/// prices (<see cref="LinePrice"/>), coupon choice and balance decision (<see cref="BalanceCharges"/>)
/// played forward in memory, so the forecast says what the engine will charge, not a copy of its
/// rules. Nothing is written.
/// </summary>
public sealed class RenewalForecast(CloudbillDbContext db, ProductCatalog catalog, LedgerService ledger, TimeProvider clock)
{
    public const int DefaultDays = 30;

    public async Task<RenewalForecastResult> Next(long accountId, int days, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = BusinessCalendar.AddDays(now, days);
        var balance = await ledger.Balance(accountId, ct);
        var instances = await db.Instances.AsNoTracking()
            .Where(i => i.AccountId == accountId && i.ChargeType == ChargeType.Subscription && i.ReleasedAt == null
                && i.RenewalMethod == RenewalMethod.AutoRenewal && i.ExpiresAt != null)
            .ToListAsync(ct);
        // The engine judges only coupons no unpaid order holds (R6.4); their balance goes down as charges use them (R6.3).
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId && c.FrozenByOrderId == null).ToListAsync(ct);

        var due = new List<(DateTimeOffset DueAt, Instance Instance, Product Product, Spec Spec)>();
        foreach (var instance in instances)
        {
            if (catalog.FindProduct(instance.ProductCode) is not { } product || product.FindSpec(instance.SpecCode) is not { } spec || !spec.IsSoldIn(instance.RegionId))
                continue;
            if (NextAttempt(instance, product, now, until) is { } at)
                due.Add((at, instance, product, spec));
        }

        var charges = new List<ForecastCharge>();
        var running = balance;
        DateTimeOffset? runsShortAt = null;
        // In due order, as the engine runs them; a paid renewal moves the expiry, which may bring
        // the instance's next cycle into the window too (R4.3).
        while (due.Count > 0)
        {
            var next = due.OrderBy(d => d.DueAt).ThenBy(d => d.Instance.Id, StringComparer.Ordinal).First();
            due.Remove(next);
            var (at, instance, product, spec) = next;
            var months = instance.AutoRenewPeriodMonths!.Value;
            var price = LinePrice.For(product, spec, instance.RegionId, months, 1);
            var facts = new CouponFacts(product.Code, CouponOrderTypes.Renew, ChargeType.Subscription, price.Amount);
            var coupon = CouponRules.EligibleBestFirst(coupons, facts, at).FirstOrDefault();
            var payable = price.Amount - (coupon?.Deduction ?? Money.Zero);
            var decision = BalanceCharges.Decide(running, payable, "This auto-renewal", [(instance, product)], at);
            if (!decision.IsApproved && runsShortAt is null)
                runsShortAt = at;

            // The forecast counts every charge as if it went through, so the shortfall is the
            // whole top-up that lets all of them through, not only the first that fails.
            running = running with { Cash = running.Cash - payable };
            if (coupon is not null)
                coupon.Coupon.Deduct(coupon.Deduction);
            charges.Add(new ForecastCharge(instance.Id, instance.Name, product.Code, instance.RegionId, at, months, instance.ExpiresAt!.Value,
                price.Amount, coupon?.Deduction ?? Money.Zero, coupon?.Coupon.Name, payable, running.AvailableCredit, decision.IsApproved));

            var renewed = instance.WithExpiry(BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, months));
            if (NextAttempt(renewed, product, at, until) is { } again)
                due.Add((again, renewed, product, spec));
        }

        var total = charges.Aggregate(Money.Zero, (sum, c) => sum + c.Payable);
        // R7.4: while overdue nothing is charged, so a top-up must at least settle the debt (R7.4 settles it first).
        var shortfall = charges.Count == 0 ? Money.Zero : Money.Max(Money.Max(Money.Zero, total - balance.AvailableCredit), balance.Overdue);
        var dayList = charges.GroupBy(c => BusinessCalendar.LocalDate(c.DueAt))
            .Select(g => new ForecastDay(g.Key, g.ToList(), g.Aggregate(Money.Zero, (sum, c) => sum + c.Payable), g.Last().CreditAfter))
            .ToList();
        return new RenewalForecastResult(balance, now, until, dayList, total, shortfall.IsZero ? null : runsShortAt, shortfall);
    }

    /// <summary>The engine's next auto-renewal attempt of the instance's current cycle, after <paramref name="after"/> and by <paramref name="until"/>.</summary>
    private static DateTimeOffset? NextAttempt(Instance instance, Product product, DateTimeOffset after, DateTimeOffset until) =>
        LifecycleSchedule.For(instance, product)
            .Where(a => a.Kind == ScheduledActionKind.AutoRenewal && a.DueAt > after && a.DueAt <= until)
            .Select(a => (DateTimeOffset?)a.DueAt)
            .Min();
}
