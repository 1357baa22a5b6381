using System.Text.Json;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.ProviderApi;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Webhooks;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>What the provider's cloud reports about instances (docs/webhooks.md, "Provider API"): created, failed, deleted, changed.</summary>
public class ProviderInstancesTests
{
    /// <summary>A paid New order of <paramref name="quantity"/> ecs.g7.large in cn-hangzhou for a month (330.00 each), with the best coupon.</summary>
    private static async Task<(Order Order, List<string> Created)> Buy(TestServices test, long account, int quantity)
    {
        var order = (await test.Run<PurchaseService, Result<Order>>((s, ct) =>
            s.Buy(account, new PurchaseRequest("ecs", "cn-hangzhou", "ecs.g7.large", 1, quantity), ClientToken.New(), CouponChoice.Best, ct))).Value;
        var paid = await test.Run<OrderPayments, Result<PaymentOutcome>>((p, ct) => p.PayFromBalance(account, order.Id, ct));
        Assert.True(paid.Succeeded, paid.Problem?.Message);
        return (paid.Value.Order, paid.Value.CreatedInstanceIds.Order(StringComparer.Ordinal).ToList());
    }

    private static Task<Result<ProviderInstanceState>> Report(TestServices test, Func<ProviderInstances, CancellationToken, Task<Result<ProviderInstanceState>>> call) =>
        test.Run(call);

    private static InstanceStatus StatusOf(TestServices test, Instance instance) =>
        InstanceLifecycle.StateAt(instance, test.Services.GetRequiredService<ProductCatalog>().GetProduct(instance.ProductCode).Lifecycle, test.Clock.GetUtcNow()).Status;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Created_turns_Creating_into_Normal_and_a_repeat_answers_the_same(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var (_, created) = await Buy(test, account, 1);
        Assert.Equal(InstanceStatus.Creating, StatusOf(test, await test.Reload(created[0])));

        var first = await Report(test, (s, ct) => s.Created(created[0], ct));
        Assert.Equal("Ready", first.Value.State);
        Assert.Equal(InstanceStatus.Normal, StatusOf(test, await test.Reload(created[0])));
        var before = await test.Snapshot();
        var again = await Report(test, (s, ct) => s.Created(created[0], ct));
        Assert.Equal(first.Value, again.Value);
        Assert.Equal(before, await test.Snapshot());

        var unknown = await Report(test, (s, ct) => s.Created("i-nosuchinstance00000", ct));
        Assert.Equal("Instance.NotFound", unknown.Problem!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Failed_refunds_exactly_each_instances_share_of_a_two_instance_order_with_a_coupon_once(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        await test.Coupon(account, "33.33");
        var (order, created) = await Buy(test, account, 2);
        // 2 × 330.00 − the coupon's 33.33: 626.67 paid.
        Assert.Equal((Money.Parse("660.00"), Money.Parse("33.33"), Money.Parse("626.67")), (order.AmountBeforeCoupon, order.CouponDeduction, order.Payable));
        Assert.Equal(Money.Parse("373.33"), (await test.Balance(account)).Cash);

        // The first instance (by id): 330.00 less its 16.66 of the coupon (rounded down).
        var failed = await Report(test, (s, ct) => s.Failed(created[0], "no capacity in cn-hangzhou-b", ct));
        Assert.Equal(("Failed", 31334L), (failed.Value.State, failed.Value.RefundedFen));
        Assert.Equal(Money.Parse("686.67"), (await test.Balance(account)).Cash);

        // A repeat refunds nothing, tells nobody and emits nothing.
        var snapshot = await test.Snapshot();
        var repeat = await Report(test, (s, ct) => s.Failed(created[0], "no capacity in cn-hangzhou-b", ct));
        Assert.Equal(failed.Value, repeat.Value);
        Assert.Equal(snapshot, await test.Snapshot());

        // The last instance takes the coupon's remainder, 16.67: the two refunds are exactly what was paid.
        var second = await Report(test, (s, ct) => s.Failed(created[1], "no capacity", ct));
        Assert.Equal(31333L, second.Value.RefundedFen);
        Assert.Equal(Money.Parse("1000.00"), (await test.Balance(account)).Cash);
        Assert.Equal(Money.Zero, await test.SharedAccountBalance(LedgerService.RevenueCode));
        Assert.Equal(Money.Zero, await test.SharedAccountBalance(LedgerService.CouponExpenseCode));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);

        // order.refunded once per instance, with the cash refunded.
        var refunds = await test.Query(db => db.LifecycleEvents.AsNoTracking().Where(e => e.Type == LifecycleEventTypes.OrderRefunded).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([(created[0], 31334L), (created[1], 31333L)], refunds.Select(e => (e.InstanceId, JsonDocument.Parse(e.Data).RootElement.GetProperty("amount_fen").GetInt64())));
        Assert.All(refunds, e => Assert.Equal(order.Id, JsonDocument.Parse(e.Data).RootElement.GetProperty("order_id").GetInt64()));

        // The customer is told, in both languages.
        var notice = await test.Query(db => db.Notifications.AsNoTracking().SingleAsync(n => n.InstanceId == created[0] && n.CauseKey.Contains("refund")));
        Assert.Equal("The cloud could not create instance " + created[0] + $" ({(await test.Reload(created[0])).Name}, Elastic Compute Service (ECS)) of order {order.Id}: no capacity in cn-hangzhou-b. The instance is released and 313.34 CNY was refunded to your balance.",
            notice.Body());
        Assert.Contains("¥313.34", notice.Rendered(NoticeRenderer.Chinese).Body, StringComparison.Ordinal);

        // Failed: released to the customer, never charged or renewed by the engine.
        var instance = await test.Reload(created[0]);
        Assert.Equal((ProvisioningState.Failed, InstanceStatus.Released, (DateTimeOffset?)null), (instance.Provisioning, StatusOf(test, instance), instance.NextDueAt));
        Assert.NotNull(instance.ReleasedAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Failed_after_a_staff_refund_gives_back_only_what_the_order_has_left(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var (order, created) = await Buy(test, account, 2);
        var staff = await test.Run<Core.Operators.Refunds, Result<Core.Operators.RefundDone>>((s, ct) =>
            s.RefundOrder(account, order.Id, Money.Parse("500.00"), Core.Operators.RefundDestination.Balance, "Goodwill, ticket 10", ClientToken.New(), ct));
        Assert.True(staff.Succeeded, staff.Problem?.Message);

        // 330.00 would be the first instance's share; 160.00 is what the order has left to give back.
        var first = await Report(test, (s, ct) => s.Failed(created[0], "no capacity", ct));
        Assert.Equal(("Failed", 16000L), (first.Value.State, first.Value.RefundedFen));
        var second = await Report(test, (s, ct) => s.Failed(created[1], "no capacity", ct));
        Assert.Equal(("Failed", 0L), (second.Value.State, second.Value.RefundedFen));

        Assert.Equal(Money.Parse("1000.00"), (await test.Balance(account)).Cash);
        Assert.Equal(Money.Parse("660.00"), (await test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id))).Refunded);
        Assert.Equal(Money.Zero, await test.SharedAccountBalance(LedgerService.RevenueCode));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Failed_is_refused_for_an_instance_that_is_not_Creating_and_changes_nothing(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var (_, created) = await Buy(test, account, 1);
        await Report(test, (s, ct) => s.Created(created[0], ct));
        var ready = await test.Instance(account, Shanghai(2027, 3, 1));
        var before = await test.Snapshot();

        var refused = await Report(test, (s, ct) => s.Failed(created[0], "too late", ct));
        Assert.Equal(("Instance.NotCreating", ProblemKind.Conflict), (refused.Problem!.Code, refused.Problem.Kind));
        Assert.Equal("Instance.NotCreating", (await Report(test, (s, ct) => s.Failed(ready.Id, "imported", ct))).Problem!.Code);
        Assert.Equal("Provider.Reason", (await Report(test, (s, ct) => s.Failed(created[0], "  ", ct))).Problem!.Code);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Deleted_outside_releases_now_cancels_the_unpaid_renewal_and_refunds_nothing(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var instance = await test.Instance(account, Shanghai(2027, 3, 1));
        var unpaid = (await test.Run<Renewals.RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], Renewals.RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;
        var cash = (await test.Balance(account)).Cash;

        var deleted = await Report(test, (s, ct) => s.Deleted(instance.Id, ct));
        Assert.Equal("Released", deleted.Value.State);
        var reloaded = await test.Reload(instance.Id);
        Assert.Equal((test.Clock.GetUtcNow(), (DateTimeOffset?)null, (long?)null), (reloaded.ReleasedAt!.Value, reloaded.NextDueAt, reloaded.UnpaidOrderId));
        Assert.Equal(OrderStatus.Cancelled, (await test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == unpaid.Id))).Status);
        Assert.Equal(cash, (await test.Balance(account)).Cash);
        var released = await test.Query(db => db.LifecycleEvents.AsNoTracking().SingleAsync(e => e.InstanceId == instance.Id && e.Type == LifecycleEventTypes.InstanceReleased));
        Assert.Equal("deleted_at_provider", JsonDocument.Parse(released.Data).RootElement.GetProperty("reason").GetString());
        var notice = await test.Query(db => db.Notifications.AsNoTracking().SingleAsync(n => n.CauseKey == $"instance:{instance.Id}:deleted-at-provider"));
        Assert.Equal("ecs-test was deleted", notice.Title());

        var before = await test.Snapshot();
        Assert.Equal(deleted.Value, (await Report(test, (s, ct) => s.Deleted(instance.Id, ct))).Value);
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal("Instance.Released", (await Report(test, (s, ct) => s.Changed(instance.Id, new InstanceChange("web-2", null), ct))).Problem!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Changed_outside_takes_a_valid_name_and_a_spec_of_the_same_product_sold_in_the_region(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var instance = await test.Instance(account, Shanghai(2027, 3, 1));

        var changed = await Report(test, (s, ct) => s.Changed(instance.Id, new InstanceChange("web-2", "ecs.c7.xlarge"), ct));
        Assert.True(changed.Succeeded, changed.Problem?.Message);
        Assert.Equal(("web-2", "ecs.c7.xlarge"), (changed.Value.Name, changed.Value.Spec));
        var before = await test.Snapshot();
        Assert.Equal("Provider.UnknownSpec", (await Report(test, (s, ct) => s.Changed(instance.Id, new InstanceChange(null, "mysql.n2.medium.1"), ct))).Problem!.Code);
        Assert.Equal("Instance.NameStart", (await Report(test, (s, ct) => s.Changed(instance.Id, new InstanceChange("2web", null), ct))).Problem!.Code);
        Assert.Equal("Provider.NothingToChange", (await Report(test, (s, ct) => s.Changed(instance.Id, new InstanceChange(null, null), ct))).Problem!.Code);
        Assert.Equal(before, await test.Snapshot());
    }
}
