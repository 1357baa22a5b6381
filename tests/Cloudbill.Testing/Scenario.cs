using Cloudbill.Core;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Testing;

/// <summary>Small builders for arranging a test: customers, coupons, debts, instances.</summary>
public static class Scenario
{
    private static int customers;

    /// <summary>A new customer with a cash balance (posted through the ledger as an opening balance).</summary>
    public static async Task<long> Customer(this TestServices test, string balance = "0.00", string? creditLine = null)
    {
        var email = $"customer{Interlocked.Increment(ref customers)}-{Guid.NewGuid():N}@example.com";
        var created = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create(email, "Secret-2026", Money.Parse(balance), null, ct));
        var id = created.Value.Account.Id;
        if (creditLine is not null)
        {
            await test.Query(db => db.BillingAccounts.Where(a => a.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.CreditLine, Money.Parse(creditLine))));
        }
        return id;
    }

    public static Task<string> EmailOf(this TestServices test, long accountId) =>
        test.Query(db => db.BillingAccounts.Where(a => a.Id == accountId).Select(a => a.Email).SingleAsync());

    /// <summary>Puts the account in debt by <paramref name="amount"/> (as an unpaid pay-as-you-go charge would, R8.2).</summary>
    public static Task MakeOverdue(this TestServices test, long accountId, string amount) =>
        test.Adjust(accountId, amount, overdue: true);

    /// <summary>Money arrives in the account's cash balance (as a top-up would), from the operator's adjustments.</summary>
    public static Task AddCash(this TestServices test, long accountId, string amount) =>
        test.Adjust(accountId, amount, overdue: false);

    private static async Task Adjust(this TestServices test, long accountId, string amount, bool overdue)
    {
        var (cash, debt) = await test.Run<LedgerService, (long, long)>((l, ct) => l.OpenCustomerAccounts(accountId, ct));
        var adjustments = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct));
        var money = Money.Parse(amount);
        // Debt is a negative balance on the overdue account; cash a positive one on the cash account.
        PostingLine[] lines = overdue
            ? [new PostingLine(debt, -money), new PostingLine(adjustments, money)]
            : [new PostingLine(adjustments, -money), new PostingLine(cash, money)];
        await test.Run<LedgerService, Result<PostResult>>((l, ct) => l.Post($"test-adjustment:{accountId}:{Guid.NewGuid():N}", overdue ? "Test debt" : "Test cash", lines, ct));
    }

    public static Task<AccountBalance> Balance(this TestServices test, long accountId) =>
        test.Run<LedgerService, AccountBalance>((l, ct) => l.Balance(accountId, ct));

    public static async Task<Coupon> Coupon(
        this TestServices test,
        long accountId,
        string amount,
        string minimumOrder = "0.00",
        string products = "",
        CouponOrderTypes orderTypes = CouponOrderTypes.New | CouponOrderTypes.Renew,
        ChargeType subscriptionType = ChargeType.Subscription,
        TimeSpan? validFor = null,
        DateTimeOffset? validFrom = null,
        DateTimeOffset? issuedAt = null)
    {
        var now = test.Clock.GetUtcNow();
        var coupon = new Coupon
        {
            AccountId = accountId,
            Name = $"{amount} test voucher",
            FaceValue = Money.Parse(amount),
            Remaining = Money.Parse(amount),
            ValidFrom = validFrom ?? now.AddDays(-1),
            ValidTo = (validFrom ?? now).Add(validFor ?? TimeSpan.FromDays(30)),
            ProductCodes = products,
            OrderTypes = orderTypes,
            ChargeType = subscriptionType,
            MinimumOrder = Money.Parse(minimumOrder),
            IssuedAt = issuedAt ?? now,
        };
        await test.Query(async db =>
        {
            db.Coupons.Add(coupon);
            return await db.SaveChangesAsync();
        });
        return coupon;
    }

    /// <summary>
    /// A subscription instance that was bought long ago and expires at <paramref name="expiresAt"/>,
    /// scheduled for the lifecycle engine as a purchase would schedule it.
    /// </summary>
    public static async Task<Instance> Instance(
        this TestServices test,
        long accountId,
        DateTimeOffset expiresAt,
        RenewalMethod method = RenewalMethod.ManualRenewal,
        int? autoRenewPeriodMonths = null,
        string product = "ecs",
        string spec = "ecs.g7.large",
        string region = "cn-hangzhou",
        string? id = null,
        string? name = null)
    {
        var catalog = test.Services.GetRequiredService<Cloudbill.Core.Catalog.ProductCatalog>();
        var entry = catalog.GetProduct(product);
        var now = test.Clock.GetUtcNow();
        var instance = new Instance
        {
            Id = id ?? InstanceIds.New(entry.InstanceIdPrefix),
            AccountId = accountId,
            ProductCode = product,
            SpecCode = spec,
            RegionId = region,
            Name = name ?? $"{product}-test",
            ChargeType = ChargeType.Subscription,
            Provisioning = ProvisioningState.Ready,
            CreatedAt = now.AddDays(-60),
            ExpiresAt = expiresAt,
            RenewalMethod = method,
            AutoRenewPeriodMonths = method == RenewalMethod.AutoRenewal ? autoRenewPeriodMonths ?? 1 : null,
            AutoRenewEnabledAt = method == RenewalMethod.AutoRenewal ? now.AddDays(-60) : null,
        };
        instance.NextDueAt = Cloudbill.Core.Instances.LifecycleSchedule.NextDueAfter(instance, entry, now);
        await test.Query(async db =>
        {
            db.Instances.Add(instance);
            return await db.SaveChangesAsync();
        });
        return instance;
    }

    /// <summary>A shared ledger account's balance (revenue, clearing, adjustments): the sum of its postings, as reconcile adds them.</summary>
    public static Task<Money> SharedAccountBalance(this TestServices test, string code) =>
        test.Query(async db => new Money(await db.Postings.Where(p => db.LedgerAccounts.Any(a => a.Id == p.LedgerAccountId && a.Code == code)).SumAsync(p => p.AmountFen)));

    public static Task<Instance> Reload(this TestServices test, string instanceId) =>
        test.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Id == instanceId));

    /// <summary>
    /// Everything a run of the engine can change, in business terms and without surrogate ids
    /// or wall-clock times, so two databases that went through the same work compare equal.
    /// </summary>
    public static Task<string> BusinessSnapshot(this TestServices test) => test.Query(async db =>
    {
        static string Orders(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"[Oo]rder \d+", "order #");
        // A notice names its order by id (docs/decisions/0030): "orderId":12.
        static string NoticeOrders(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"""orderId"":\d+", @"""orderId"":#");
        var lines = new List<string>();
        lines.AddRange((await db.Instances.AsNoTracking().ToListAsync()).OrderBy(i => i.Id, StringComparer.Ordinal)
            .Select(i => $"I {i.Id} {i.ExpiresAt?.UtcTicks} {i.ReleasedAt?.UtcTicks} {i.NextDueAt?.UtcTicks} {i.RenewalMethod} {i.UnpaidOrderId is null}"));
        var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).ToListAsync();
        lines.AddRange(orders.Select(o => $"O {string.Join(",", o.Lines.Select(l => l.InstanceId))} {o.Type} {o.Status} {o.CancelReason} {o.Payable} {o.CouponId} {o.ClientToken}").Order(StringComparer.Ordinal));
        lines.AddRange((await db.LedgerAccounts.AsNoTracking().ToListAsync()).OrderBy(a => a.Code, StringComparer.Ordinal).Select(a => $"L {a.Code} {a.BalanceFen}"));
        lines.Add($"P {await db.Postings.CountAsync()} {await db.JournalTransactions.CountAsync()}");
        lines.AddRange((await db.Notifications.AsNoTracking().ToListAsync()).Select(n => $"N {n.Kind} {n.InstanceId} {NoticeOrders(n.Content ?? n.LegacyTitle + n.LegacyBody)}").Order(StringComparer.Ordinal));
        lines.AddRange((await db.EngineActions.AsNoTracking().ToListAsync()).Select(a => $"A {a.Key} {Orders(a.Outcome)}").Order(StringComparer.Ordinal));
        lines.AddRange((await db.Coupons.AsNoTracking().ToListAsync()).OrderBy(c => c.Id).Select(c => $"C {c.Id} {c.Remaining} {c.FrozenByOrderId is null}"));
        // Lifecycle events: each instance's in the order they were written (docs/webhooks.md), order ids
        // aside, and without the time of a payment's events (the run's clock, like an order's PaidAt).
        static string EventOrders(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"(""order_id"":|order:)\d+", "$1#");
        lines.AddRange((await db.LifecycleEvents.AsNoTracking().ToListAsync()).GroupBy(e => e.InstanceId ?? "")
            .SelectMany(g => g.OrderBy(e => e.Id).Select((e, i) => $"E {g.Key} {(g.Key == "" ? "" : i)} {e.Type} {EventOrders(e.Key)} {EventOrders(e.Data)}"))
            .Order(StringComparer.Ordinal));
        return string.Join("\n", lines);
    });

    /// <summary>Every row that money, orders, coupons and instances live in, as text: equal snapshots mean nothing changed.</summary>
    public static Task<string> Snapshot(this TestServices test) => test.Query(async db =>
    {
        var lines = new List<string>();
        lines.AddRange((await db.LedgerAccounts.OrderBy(a => a.Id).ToListAsync()).Select(a => $"L {a.Code} {a.BalanceFen}"));
        lines.AddRange((await db.Postings.OrderBy(p => p.Id).ToListAsync()).Select(p => $"P {p.TransactionId} {p.LedgerAccountId} {p.AmountFen}"));
        lines.AddRange((await db.Orders.OrderBy(o => o.Id).ToListAsync()).Select(o => $"O {o.Id} {o.Status} {o.Payable} {o.CouponId} {o.CancelReason}"));
        lines.AddRange((await db.OrderLines.OrderBy(l => l.Id).ToListAsync()).Select(l => $"OL {l.Id} {l.OrderId} {l.InstanceId} {l.ExpiresAfter?.UtcTicks}"));
        lines.AddRange((await db.Coupons.OrderBy(c => c.Id).ToListAsync()).Select(c => $"C {c.Id} {c.Remaining} {c.FrozenByOrderId}"));
        lines.AddRange((await db.Instances.OrderBy(i => i.Id).ToListAsync()).Select(i => $"I {i.Id} {i.ExpiresAt?.UtcTicks} {i.RenewalMethod} {i.AutoRenewPeriodMonths} {i.UnpaidOrderId} {i.Provisioning} {i.ReleasedAt?.UtcTicks} {i.Version}"));
        lines.AddRange((await db.GatewayPayments.OrderBy(p => p.Id).ToListAsync()).Select(p => $"G {p.OutTradeNo} {p.State} {p.Amount} {p.GatewayTradeNo} {p.Flag} {p.Version}"));
        lines.AddRange((await db.Notifications.OrderBy(n => n.Id).ToListAsync()).Select(n => $"N {n.CauseKey}"));
        lines.AddRange((await db.LifecycleEvents.OrderBy(e => e.Id).ToListAsync()).Select(e => $"E {e.Key}"));
        return string.Join("\n", lines);
    });
}
