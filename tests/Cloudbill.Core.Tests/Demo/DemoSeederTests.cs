using Cloudbill.Core.Accounts;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

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

        // The seed's example: ECS in Urgent Renewal in Hong Kong (China) and another region.
        var urgentEcsRegions = instances.Where(i => i.ProductCode == "ecs" && i.State.Status is InstanceStatus.WaitForExpire or InstanceStatus.Expired)
            .Select(i => i.RegionName).Distinct().ToList();
        Assert.Contains("Hong Kong (China)", urgentEcsRegions);
        Assert.True(urgentEcsRegions.Count >= 2);

        // Auto-renewal instances are outside the 9-day charge window, so no charge is due at once.
        Assert.All(subscriptions.Where(i => i.RenewalMethod == RenewalMethod.AutoRenewal),
            i => Assert.True(i.ExpiresAt!.Value - now > TimeSpan.FromDays(12) && i.AutoRenewPeriodMonths is > 0));
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
