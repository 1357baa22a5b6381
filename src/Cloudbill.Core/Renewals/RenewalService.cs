using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Renewals;

/// <summary>How far a renewal goes: a number of months (R3.1), or to a unified day of the month.</summary>
public abstract record RenewalTerm
{
    public static RenewalTerm ForMonths(int months) => new Months(months);

    public static RenewalTerm ToUnifiedDay(int day) => new UnifiedDay(day);

    public sealed record Months(int Count) : RenewalTerm;

    public sealed record UnifiedDay(int Day) : RenewalTerm;
}

/// <summary>One instance in a renewal: its expiry now and after, and its price.</summary>
public sealed record RenewalLine(Instance Instance, Spec Spec, Region Region, DateTimeOffset CurrentExpiry, DateTimeOffset NewExpiry, LinePrice Price);

/// <summary>The Renew Instance screen: durations, the instances, the price, the best coupon and the others (R3, R6).</summary>
public sealed record RenewalQuote(Product Product, RenewalTerm Term, IReadOnlyList<RenewalLine> Lines, CouponOptions Coupons, CouponVerdict? AppliedCoupon)
{
    public Money OriginalPrice => Lines.Aggregate(Money.Zero, (sum, l) => sum + l.Price.OriginalPrice);
    public Money Discount => Lines.Aggregate(Money.Zero, (sum, l) => sum + l.Price.Discount);
    public Money CouponDeduction => AppliedCoupon?.Deduction ?? Money.Zero;
    public Money Payable => OriginalPrice - Discount - CouponDeduction;

    /// <summary>R3.1: "1 Month" first, the rest under "Other Durations".</summary>
    public IReadOnlyList<int> Durations => Product.RenewalDurationsMonths;
}

/// <summary>Manual renewal (R3), batch and unified-expiry renewal, and renewal method changes (R2).</summary>
public sealed class RenewalService(
    CloudbillDbContext db,
    Audit.AuditLog audit,
    ProductCatalog catalog,
    CouponService coupons,
    OrderService orders,
    OrderPayments payments,
    LedgerService ledger,
    TimeProvider clock)
{
    public const int MaxBatch = 100;

    /// <summary>A unified-expiry renewal is priced by time on the monthly price: a month counts as 30 days (docs/decisions/0008).</summary>
    public const int DaysPerPricedMonth = 30;

    public async Task<Result<RenewalQuote>> Quote(long accountId, IReadOnlyList<string> instanceIds, RenewalTerm term, CouponChoice choice, CancellationToken ct)
    {
        var lines = await Lines(accountId, instanceIds, term, ct);
        if (!lines.Succeeded)
            return lines.Problem!;
        var (product, renewals) = lines.Value;
        var facts = Facts(product, renewals);
        var options = await coupons.OptionsFor(accountId, facts, ct);
        var candidates = await coupons.Candidates(accountId, choice, facts, ct);
        if (!candidates.Succeeded)
            return candidates.Problem!;
        return new RenewalQuote(product, term, renewals, options, candidates.Value.FirstOrDefault());
    }

    /// <summary>The product of one of the account's instances, or null when it has no such instance: a caller's check before paying, one query.</summary>
    public Task<string?> ProductOf(long accountId, string instanceId, CancellationToken ct) =>
        db.Instances.AsNoTracking().Where(i => i.Id == instanceId && i.AccountId == accountId).Select(i => i.ProductCode).FirstOrDefaultAsync(ct);

    /// <summary>Places an unpaid Renew order to pay at a gateway; the instances are held by it (R3.3). The same client token returns the first order (R5.4).</summary>
    public async Task<Result<Order>> Place(long accountId, IReadOnlyList<string> instanceIds, RenewalTerm term, ClientToken token, CouponChoice choice, CancellationToken ct)
    {
        var lines = await Lines(accountId, instanceIds, term, ct);
        if (!lines.Succeeded)
            return lines.Problem!;
        return await orders.Place(accountId, Draft(lines.Value.Product, term, lines.Value.Lines), token, choice, ct);
    }

    /// <summary>
    /// Renew Now, paid from the balance, whatever the surface (the app's Renew Now page, the API's
    /// RenewInstance and SetAllExpirationDay): the order is placed and paid in one transaction
    /// under the account lock (<see cref="OrderPayments.PlaceAndPay"/>), so concurrent renewals of
    /// one instance each add their months exactly once, an instance released, expired or held by
    /// another order meanwhile is refused the same way everywhere, and a failed payment leaves
    /// nothing behind. The same client token returns the first result (R5.4).
    /// </summary>
    public Task<Result<PaymentOutcome>> RenewNow(long accountId, IReadOnlyList<string> instanceIds, RenewalTerm term, ClientToken token, CouponChoice choice, CancellationToken ct) =>
        payments.PlaceAndPay(accountId, token, existing => OrderService.IsFor(existing, OrderType.Renew, instanceIds), "This renewal", async _ =>
        {
            var lines = await Lines(accountId, instanceIds, term, ct);
            if (!lines.Succeeded)
                return lines.Problem!;
            var (product, renewals) = lines.Value;
            var candidates = await coupons.Candidates(accountId, choice, Facts(product, renewals), ct);
            if (!candidates.Succeeded)
                return candidates.Problem!;
            return new ReadyDraft(Draft(product, term, renewals), choice, candidates.Value);
        }, ct);

    /// <summary>The longest extension staff give at once: a year.</summary>
    public const int MaxExtensionDays = 366;

    /// <summary>
    /// An extension after an outage: the instance's expiry moves by whole days at no charge,
    /// through the one pipeline as a Renew order of ¥0.00 paid by <see cref="PaymentMethod.Compensation"/>
    /// (the line shows what the time is worth and a 100% discount). The customer is told as for any
    /// paid renewal; nothing is posted. Not for a released instance (R3.5); from the old expiry,
    /// like any renewal (R3.2). The same client token extends once (R5.4).
    /// </summary>
    public async Task<Result<PaymentOutcome>> Extend(long accountId, string instanceId, int days, ClientToken token, CancellationToken ct)
    {
        Audit.AuditEvent? row = null;
        var extended = await payments.PlaceAndPay(accountId, token, existing => OrderService.IsFor(existing, OrderType.Renew, [instanceId]), "This extension", async _ =>
        {
            if (days is < 1 or > MaxExtensionDays)
                return RenewalErrors.ExtensionDays(days);
            var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId && i.AccountId == accountId, ct);
            if (instance is null)
                return RenewalErrors.NotFound(instanceId);
            var product = catalog.GetProduct(instance.ProductCode);
            if (Usable(instance, product, clock.GetUtcNow()) is { } unusable)
                return unusable;
            var expires = instance.ExpiresAt!.Value;
            var target = expires.AddDays(days);
            var monthly = product.FindSpec(instance.SpecCode)?.PricesByRegion.GetValueOrDefault(instance.RegionId)?.Monthly ?? Money.Zero;
            var worth = PriceByTime(monthly, expires, target);
            // The percent is what is paid of the list price (R6.1): nothing.
            var free = worth with { DiscountPercent = 0, Discount = worth.OriginalPrice };
            var draft = new OrderDraft(OrderType.Renew, product.Code, ChargeType.Subscription,
                [new DraftLine(instance.Id, instance.SpecCode, instance.RegionId, 0, 1, free, ExpiresBefore: expires, UnifiedExpiresAt: target)]);
            // Saved with the order by the pipeline's one save, in its transaction.
            row = audit.Add(Audit.AuditEventKind.InstanceExtended, accountId,
                $"{instance.Id} extended by {days} day(s) at no charge: {BusinessCalendar.FormatDateTime(expires)} -> {BusinessCalendar.FormatDateTime(target)} (worth {worth.OriginalPrice} CNY)");
            return new ReadyDraft(draft, CouponChoice.None, []);
        }, ct, PaymentMethod.Compensation);
        // A refused extension saved nothing: its audit row must not ride on a later save of this scope.
        if (row is not null && db.Entry(row).State == EntityState.Added)
            db.Entry(row).State = EntityState.Detached;
        return extended;
    }

    /// <summary>
    /// R2: sets the renewal method of up to 100 instances, all or none. Auto-renewal needs a
    /// period (R2.1), cannot be turned on for an expired instance nor while the account is
    /// overdue, and charges from the next day on (R2.3).
    /// </summary>
    public async Task<Result<int>> SetRenewalMethod(long accountId, IReadOnlyList<string> instanceIds, RenewalMethod method, int? autoRenewPeriodMonths, CancellationToken ct)
    {
        var ids = CheckIds(instanceIds);
        if (!ids.Succeeded)
            return ids.Problem!;
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The account lock keeps payments and the engine off these instances meanwhile.
        await db.Acquire(accountId, ct);
        if (method == RenewalMethod.AutoRenewal)
        {
            // R2.3, R7.4: auto-renewal would charge an overdue account.
            if (BalanceCharges.Overdue(await ledger.Balance(accountId, ct)) is { } overdue)
                return overdue.Problem;
        }

        var instances = await db.Instances.Where(i => ids.Value.Contains(i.Id) && i.AccountId == accountId).ToListAsync(ct);
        var changed = 0;
        foreach (var id in ids.Value)
        {
            var instance = instances.FirstOrDefault(i => i.Id == id);
            if (instance is null)
                return RenewalErrors.NotFound(id);
            var product = catalog.GetProduct(instance.ProductCode);
            var usable = Usable(instance, product, now);
            if (usable is not null)
                return usable;
            if (method == RenewalMethod.AutoRenewal)
            {
                if (autoRenewPeriodMonths is not { } period || !product.AutoRenewalPeriodsMonths.Contains(period))
                    return RenewalErrors.AutoRenewPeriod(product, autoRenewPeriodMonths);
                if (instance.ExpiresAt <= now)
                    return RenewalErrors.AutoRenewalOnExpired(instance);
                // R2.3: switched on, or its period changed, today: charged from tomorrow.
                if (instance.RenewalMethod != RenewalMethod.AutoRenewal || instance.AutoRenewPeriodMonths != period)
                    instance.AutoRenewEnabledAt = now;
                instance.AutoRenewPeriodMonths = period;
            }
            else
            {
                instance.AutoRenewPeriodMonths = null;
            }
            var previous = instance.RenewalMethod;
            if (previous != method || db.Entry(instance).Property(i => i.AutoRenewPeriodMonths).IsModified)
            {
                changed++;
                // Each change is its own cause: keyed by the instance's row version, which the change bumps.
                db.LifecycleEvents.Add(LifecycleEvents.Create($"instance:{instance.Id}:renewal_method:{instance.Version}", accountId, now,
                    new InstanceRenewalMethodChangedEvent(instance.Id, LifecycleEvents.Code(previous), LifecycleEvents.Code(method), instance.AutoRenewPeriodMonths)));
            }
            instance.RenewalMethod = method;
            // Keep an earlier due time: actions already due but not yet run must still run (R4.7).
            var next = LifecycleSchedule.NextDueAfter(instance, product, now);
            instance.NextDueAt = instance.NextDueAt is { } due && (next is null || due < next) ? due : next;
        }

        if (changed > 0)
            audit.Add(Audit.AuditEventKind.RenewalMethodChanged, accountId, $"{method}{(autoRenewPeriodMonths is { } months && method == RenewalMethod.AutoRenewal ? $" every {months} month(s)" : "")}: {string.Join(", ", ids.Value)}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return changed;
    }

    private static CouponFacts Facts(Product product, IReadOnlyList<RenewalLine> lines) =>
        new(product.Code, CouponOrderTypes.Renew, ChargeType.Subscription, lines.Aggregate(Money.Zero, (sum, l) => sum + l.Price.Amount));

    private static OrderDraft Draft(Product product, RenewalTerm term, IReadOnlyList<RenewalLine> lines) =>
        new(OrderType.Renew, product.Code, ChargeType.Subscription, lines.Select(l => new DraftLine(
            l.Instance.Id,
            l.Instance.SpecCode,
            l.Instance.RegionId,
            term is RenewalTerm.Months months ? months.Count : 0,
            1,
            l.Price,
            ExpiresBefore: l.CurrentExpiry,
            UnifiedExpiresAt: term is RenewalTerm.UnifiedDay ? l.NewExpiry : null)).ToList());

    private static Result<IReadOnlyList<string>> CheckIds(IReadOnlyList<string> instanceIds)
    {
        if (instanceIds.Count == 0)
            return RenewalErrors.Batch("Choose at least one instance.");
        if (instanceIds.Count > MaxBatch)
            return RenewalErrors.Batch($"{instanceIds.Count} instances were given; at most {MaxBatch} can be changed at once.");
        var duplicate = instanceIds.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            return RenewalErrors.Batch($"Instance {duplicate.Key} is listed twice.");
        return instanceIds.ToList();
    }

    /// <summary>R3.5 and R1.4: a subscription instance that still exists, of a renewable product.</summary>
    private static Problem? Usable(Instance instance, Product product, DateTimeOffset now)
    {
        if (instance.ChargeType != ChargeType.Subscription || instance.ExpiresAt is null)
            return RenewalErrors.PayAsYouGo(instance.Id);
        return BalanceCharges.Renewable(instance, product, now)?.Problem;
    }

    private async Task<Result<(Product Product, IReadOnlyList<RenewalLine> Lines)>> Lines(long accountId, IReadOnlyList<string> instanceIds, RenewalTerm term, CancellationToken ct)
    {
        var ids = CheckIds(instanceIds);
        if (!ids.Succeeded)
            return ids.Problem!;
        if (term is RenewalTerm.UnifiedDay { Day: < 1 or > 28 } unified)
            return RenewalErrors.UnifiedDay(unified.Day);

        var now = clock.GetUtcNow();
        var instances = await db.Instances.AsNoTracking().Where(i => ids.Value.Contains(i.Id) && i.AccountId == accountId).ToListAsync(ct);
        var missing = ids.Value.FirstOrDefault(id => instances.All(i => i.Id != id));
        if (missing is not null)
            return RenewalErrors.NotFound(missing);
        var products = ids.Value.Select(id => instances.First(i => i.Id == id).ProductCode).Distinct().ToList();
        if (products.Count > 1)
            return RenewalErrors.Batch($"A batch renewal is for one product; these instances are of {string.Join(" and ", products)}.");

        var product = catalog.GetProduct(products[0]);
        var lines = new List<RenewalLine>();
        foreach (var id in ids.Value)
        {
            var instance = instances.First(i => i.Id == id);
            var usable = Usable(instance, product, now);
            if (usable is not null)
                return usable;
            if (product.FindSpec(instance.SpecCode) is not { } spec || !spec.IsSoldIn(instance.RegionId))
                return RenewalErrors.NoLongerSold(instance);
            var region = catalog.FindRegion(instance.RegionId)!;
            var expires = instance.ExpiresAt!.Value;

            switch (term)
            {
                case RenewalTerm.Months months:
                    if (!product.RenewalDurationsMonths.Contains(months.Count))
                        return RenewalErrors.DurationNotOffered(product, months.Count);
                    // R3.2: from the old expiry; R3.4: the product's period price for this spec and region.
                    lines.Add(new RenewalLine(instance, spec, region, expires, BusinessCalendar.AddMonths(expires, months.Count),
                        LinePrice.For(product, spec, region.Id, months.Count, 1)));
                    break;
                case RenewalTerm.UnifiedDay day:
                    if (expires <= now)
                        return RenewalErrors.UnifiedOnExpired(instance);
                    var target = UnifiedExpiry(expires, day.Day);
                    lines.Add(new RenewalLine(instance, spec, region, expires, target, PriceByTime(spec.PricesByRegion[region.Id].Monthly, expires, target)));
                    break;
            }
        }
        return (product, lines);
    }

    /// <summary>
    /// The first 00:00 (Asia/Shanghai) on the chosen day of the month that is at least one month
    /// after the current expiry (docs/decisions/0008).
    /// </summary>
    public static DateTimeOffset UnifiedExpiry(DateTimeOffset expires, int day)
    {
        var earliest = BusinessCalendar.ToLocal(BusinessCalendar.AddMonths(expires, 1));
        var candidate = new NodaTime.LocalDate(earliest.Year, earliest.Month, day).AtMidnight();
        if (candidate < earliest)
            candidate = candidate.PlusMonths(1);
        return BusinessCalendar.FromLocal(candidate);
    }

    /// <summary>Monthly price × (seconds from the old to the new expiry) ÷ (30 days), rounded half up once; no period discount.</summary>
    public static LinePrice PriceByTime(Money monthly, DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = checked((long)(to - from).TotalSeconds);
        var price = monthly.Times(seconds, (long)DaysPerPricedMonth * 86_400);
        return new LinePrice(monthly, 100, price, Money.Zero);
    }
}
