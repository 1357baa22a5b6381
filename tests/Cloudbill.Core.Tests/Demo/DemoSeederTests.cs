using Cloudbill.Core.Accounts;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

public class DemoSeederTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seeds_the_documented_demo_customer_once(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var first = await test.Run<DemoSeeder, Result<DemoSeedResult>>((s, ct) => s.Seed(ct));
        var second = await test.Run<DemoSeeder, Result<DemoSeedResult>>((s, ct) => s.Seed(ct));

        Assert.True(first.Value.Created);
        Assert.False(second.Value.Created);
        var account = await test.Query(db => db.BillingAccounts.SingleAsync());
        Assert.Equal("demo@cloudbill.local", account.Email);
        Assert.Equal(31, await test.Query(db => db.Instances.CountAsync()));
        Assert.Equal(4, await test.Query(db => db.Coupons.CountAsync()));
        var balance = await test.Run<LedgerService, AccountBalance>((l, ct) => l.Balance(account.Id, ct));
        Assert.Equal(Money.Parse("5000.00"), balance.Cash);
        var key = await test.Run<AccessKeyService, (long, string)?>((k, ct) => k.Resolve("LTAI5tCloudbillDemo00001", ct));
        Assert.Equal((account.Id, "CloudbillDemoSecret00000000001"), key);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Covers_every_renewal_method_and_status(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await test.Run<DemoSeeder, Result<DemoSeedResult>>((s, ct) => s.Seed(ct));
        var accountId = await test.Query(db => db.BillingAccounts.Select(a => a.Id).SingleAsync());
        var instances = await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.ForAccount(accountId, ct));
        var now = test.Clock.GetUtcNow();

        Assert.True(instances.Select(i => i.ProductCode).Distinct().Count() >= 8);
        Assert.True(instances.Select(i => i.RegionId).Distinct().Count() >= 4);
        var subscriptions = instances.Where(i => i.ChargeType == ChargeType.Subscription).ToList();
        Assert.Equal(Enum.GetValues<RenewalMethod>().Order(), subscriptions.Select(i => i.RenewalMethod).Distinct().Order());
        Assert.Single(instances, i => i.ChargeType == ChargeType.PayAsYouGo);

        var days = subscriptions.Select(i => Time.BusinessCalendar.DaysBetween(now, i.ExpiresAt!.Value)).ToHashSet();
        Assert.Superset(new HashSet<int> { 3, 10, 20, 60, -5 }, days);
        Assert.Contains(instances, i => i.State is { Status: InstanceStatus.Expired, Phase: InstancePhase.Suspended } && i.ProductCode == "ecs");
        Assert.Contains(instances, i => i.State is { Status: InstanceStatus.Expired, Phase: InstancePhase.Running });
        Assert.Contains(instances, i => i.State.Status == InstanceStatus.WaitForExpire);
        Assert.Contains(instances, i => i.State.Status == InstanceStatus.Normal);

        // The example of docs/procedures.md (Renew steps 1 and 2): ECS in Urgent Renewal in Hong Kong (China) and another region.
        var urgentEcsRegions = instances.Where(i => i.ProductCode == "ecs" && i.State.Status is InstanceStatus.WaitForExpire or InstanceStatus.Expired)
            .Select(i => i.RegionName).Distinct().ToList();
        Assert.Contains("Hong Kong (China)", urgentEcsRegions);
        Assert.True(urgentEcsRegions.Count >= 2);

        // Auto-renewal instances are outside the 9-day charge window, so no charge is due at once.
        Assert.All(subscriptions.Where(i => i.RenewalMethod == RenewalMethod.AutoRenewal),
            i => Assert.True(i.ExpiresAt!.Value - now > TimeSpan.FromDays(12) && i.AutoRenewPeriodMonths is > 0));
    }

    /// <summary>README, "Demo customer": each count and example it promises, exactly.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Has_exactly_what_the_README_promises(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await test.Run<DemoSeeder, Result<DemoSeedResult>>((s, ct) => s.Seed(ct));
        var accountId = await test.Query(db => db.BillingAccounts.Select(a => a.Id).SingleAsync());
        var instances = await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.ForAccount(accountId, ct));
        var now = test.Clock.GetUtcNow();
        int Days(InstanceSummary i) => Time.BusinessCalendar.DaysBetween(now, i.ExpiresAt!.Value);

        // "31 instances over 17 products and all 6 regions"
        Assert.Equal(31, instances.Count);
        Assert.Equal(17, instances.Select(i => i.ProductCode).Distinct().Count());
        var regions = test.Services.GetRequiredService<Catalog.ProductCatalog>().Regions.Select(r => r.Id).Order().ToList();
        Assert.Equal(6, regions.Count);
        Assert.Equal(regions, instances.Select(i => i.RegionId).Distinct().Order());

        // "every renewal method (Manual Renewal, Auto-Renewal with 1, 3 and 12-month periods, Expire Without Renewal)"
        var subscriptions = instances.Where(i => i.ChargeType == ChargeType.Subscription).ToList();
        Assert.Equal([RenewalMethod.ManualRenewal, RenewalMethod.AutoRenewal, RenewalMethod.NotRenewal], subscriptions.Select(i => i.RenewalMethod).Distinct().Order());
        Assert.Equal([1, 3, 12], subscriptions.Where(i => i.RenewalMethod == RenewalMethod.AutoRenewal).Select(i => i.AutoRenewPeriodMonths!.Value).Distinct().Order());

        // "expiring in 3, 10, 20 and 60 days, expired 5 days ago (still running in its grace days),
        // suspended (an ECS instance in Singapore expired 20 days ago), and one pay-as-you-go ECS instance"
        Assert.Equal([-20, -5, 3, 10, 20, 60], subscriptions.Select(Days).Distinct().Order());
        Assert.Contains(subscriptions, i => Days(i) == -5 && i.State is { Status: InstanceStatus.Expired, Phase: InstancePhase.Running });
        var suspended = Assert.Single(instances, i => i.ProductCode == "ecs" && i.State.Phase == InstancePhase.Suspended);
        Assert.Equal(("ecs", "ap-southeast-1", -20), (suspended.ProductCode, suspended.RegionId, Days(suspended)));
        var payAsYouGo = Assert.Single(instances, i => i.ChargeType == ChargeType.PayAsYouGo);
        Assert.Equal("ecs", payAsYouGo.ProductCode);

        // "ECS instances in Urgent Renewal in Hong Kong (China) (web-hk-01, 3 days; api-hk-02, 10 days)
        // and China (Hangzhou) (web-hz-01; build-hz-01, expired)"
        var ecs = instances.Where(i => i.ProductCode == "ecs").ToDictionary(i => i.Name);
        Assert.Equal(("Hong Kong (China)", 3), (ecs["web-hk-01"].RegionName, Days(ecs["web-hk-01"])));
        Assert.Equal(("Hong Kong (China)", 10), (ecs["api-hk-02"].RegionName, Days(ecs["api-hk-02"])));
        Assert.Equal("China (Hangzhou)", ecs["web-hz-01"].RegionName);
        Assert.Equal(("China (Hangzhou)", InstanceStatus.Expired), (ecs["build-hz-01"].RegionName, ecs["build-hz-01"].State.Status));

        // "Auto-renewal instances all expire 20 or more days ahead"
        Assert.All(subscriptions.Where(i => i.RenewalMethod == RenewalMethod.AutoRenewal), i => Assert.True(Days(i) >= 20, i.Name));

        // "4 coupons: 50.00 for any product (minimum order 100.00), 100.00 for ECS renewals (minimum
        // 300.00), 200.00 for new RDS or PolarDB (minimum 500.00), and 20.00 expiring in 2 days"
        var coupons = await test.Query(db => db.Coupons.OrderBy(c => c.Id).ToListAsync());
        Assert.Equal(4, coupons.Count);
        var both = Coupons.CouponOrderTypes.New | Coupons.CouponOrderTypes.Renew;
        Assert.Equal(
            [("50.00", "100.00", "", both), ("100.00", "300.00", "ecs", Coupons.CouponOrderTypes.Renew), ("200.00", "500.00", "rds,polardb", Coupons.CouponOrderTypes.New), ("20.00", "0.00", "", both)],
            coupons.Select(c => (c.FaceValue.ToString(), c.MinimumOrder.ToString(), c.ProductCodes, c.OrderTypes)));
        Assert.Equal(2, Time.BusinessCalendar.DaysBetween(now, coupons[3].ValidTo));
    }

    [Fact]
    public async Task The_demo_is_the_same_every_time_apart_from_the_dates()
    {
        static async Task<List<string>> Ids(DateTimeOffset start)
        {
            await using var test = await TestServices.Start(DatabaseProvider.Sqlite, start);
            await test.Run<DemoSeeder, Result<DemoSeedResult>>((s, ct) => s.Seed(ct));
            return await test.Query(db => db.Instances.OrderBy(i => i.Id).Select(i => i.Id + i.Name).ToListAsync());
        }

        Assert.Equal(await Ids(TestServices.DefaultStart), await Ids(TestServices.DefaultStart.AddDays(40)));
    }
}
