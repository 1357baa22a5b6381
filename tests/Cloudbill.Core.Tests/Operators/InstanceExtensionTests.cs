using Cloudbill.Core.Audit;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>
/// Staff's extension after an outage: whole days at no charge through the one payment pipeline, a
/// ¥0.00 Renew order paid by compensation, the customer told, nothing posted, once per form, also
/// for an overdue account; refused for a released instance and for a number of days that is not one.
/// </summary>
public class InstanceExtensionTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_extension_moves_the_expiry_by_whole_days_at_no_charge_once_per_form(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer("10.00");
        var expires = test.Clock.GetUtcNow().AddDays(5);
        var instance = await test.Instance(accountId, expires);
        var token = ClientToken.New();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            test.Run<SupportActions, Result<PaymentOutcome>>((s, ct) => s.ExtendInstance(accountId, instance.Id, 3, token, "Outage in cn-hangzhou on 2026-11-25, ticket 7001", ct))));

        Assert.All(answers, a => Assert.True(a.Succeeded, a.Problem?.Message));
        Assert.Equal(1, answers.Count(a => !a.Value.AlreadyPaid));
        var order = await test.Query(db => db.Orders.Include(o => o.Lines).SingleAsync(o => o.AccountId == accountId));
        Assert.Equal((OrderType.Renew, OrderStatus.Paid, PaymentMethod.Compensation), (order.Type, order.Status, order.PaidWith));
        Assert.Equal(Money.Zero, order.Payable);
        // What three days of ecs.g7.large (¥330.00 a month in cn-hangzhou: 3/30 of it) are worth, shown as a 100% discount.
        Assert.Equal(Money.Parse("33.00"), order.OriginalPrice);
        Assert.Equal(order.OriginalPrice, order.Discount);

        Assert.Equal(expires.AddDays(3), await test.Query(db => db.Instances.Where(i => i.Id == instance.Id).Select(i => i.ExpiresAt).SingleAsync()));
        Assert.Equal(Money.Parse("10.00"), (await test.Balance(accountId)).Cash);
        Assert.False(await test.Query(db => db.JournalTransactions.AnyAsync(t => t.BusinessKey == OrderPayments.PaymentKey(order.Id))));

        var audit = Assert.Single(await test.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == AuditEventKind.InstanceExtended).ToListAsync()));
        Assert.Equal("Outage in cn-hangzhou on 2026-11-25, ticket 7001", audit.Reason);
        Assert.StartsWith($"{instance.Id} extended by 3 day(s) at no charge: ", audit.Detail, StringComparison.Ordinal);
        Assert.Equal(1, await test.Query(db => db.Notifications.CountAsync(n => n.AccountId == accountId && n.Kind == NotificationKind.PaymentSucceeded)));
        Assert.Equal(1, await test.Query(db => db.LifecycleEvents.CountAsync(e => e.Key == $"order:{order.Id}:renewed:{instance.Id}")));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_overdue_account_is_extended_a_released_instance_and_bad_days_are_refused_with_nothing_written(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer("0.00");
        await test.MakeOverdue(accountId, "12.00");
        var expires = test.Clock.GetUtcNow().AddDays(2);
        var instance = await test.Instance(accountId, expires);

        // Nothing is charged, so the overdue amount (R7.4) does not stand in the way of a gift.
        var extended = await test.Run<SupportActions, Result<PaymentOutcome>>((s, ct) => s.ExtendInstance(accountId, instance.Id, 1, ClientToken.New(), "outage", ct));
        Assert.True(extended.Succeeded, extended.Problem?.Message);
        Assert.Equal(expires.AddDays(1), await test.Query(db => db.Instances.Where(i => i.Id == instance.Id).Select(i => i.ExpiresAt).SingleAsync()));

        foreach (var days in new[] { 0, -1, RenewalsMax + 1 })
        {
            var refused = await test.Run<SupportActions, Result<PaymentOutcome>>((s, ct) => s.ExtendInstance(accountId, instance.Id, days, ClientToken.New(), "outage", ct));
            Assert.Equal("Renewal.ExtensionDays", refused.Problem?.Code);
        }
        var noReason = await test.Run<SupportActions, Result<PaymentOutcome>>((s, ct) => s.ExtendInstance(accountId, instance.Id, 1, ClientToken.New(), " ", ct));
        Assert.Equal("Staff.ReasonRequired", noReason.Problem?.Code);

        var released = await test.Instance(accountId, test.Clock.GetUtcNow().AddDays(-30));
        await test.Query(db => db.Instances.Where(i => i.Id == released.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ReleasedAt, test.Clock.GetUtcNow().AddDays(-1))));
        var gone = await test.Run<SupportActions, Result<PaymentOutcome>>((s, ct) => s.ExtendInstance(accountId, released.Id, 3, ClientToken.New(), "outage", ct));
        Assert.Equal("Instance.Released", gone.Problem?.Code);

        Assert.Equal(1, await test.Query(db => db.Orders.CountAsync(o => o.AccountId == accountId)));
        Assert.Equal(1, await test.Query(db => db.AuditEvents.CountAsync(a => a.AccountId == accountId && a.Kind == AuditEventKind.InstanceExtended)));
    }

    private const int RenewalsMax = Renewals.RenewalService.MaxExtensionDays;
}
