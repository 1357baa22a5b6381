using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Demo;

public sealed record DemoSeedResult(bool Created, string Email, int Instances, int Coupons);

/// <summary>
/// The demo customer of the README: fixed credentials, a cash balance, about 30 instances that
/// cover every renewal method and status, and a few coupons. Dates are relative to now; ids
/// repeat from run to run. Seeding twice changes nothing.
/// </summary>
public sealed class DemoSeeder(CloudbillDbContext db, AccountService accounts, ProductCatalog catalog, DemoOptions demo, TimeProvider clock)
{
    /// <summary>One demo instance: expiry in days from today (negative: already expired), null for pay-as-you-go.</summary>
    private sealed record DemoInstance(string Product, string Spec, string Region, string Name, RenewalMethod Method, int? ExpiresInDays, int? AutoPeriod = null);

    private static readonly DemoInstance[] Instances =
    [
        // ECS in Urgent Renewal in two regions, Hong Kong (China) first as in the example of docs/procedures.md (Renew step 2).
        new("ecs", "ecs.g7.large", "cn-hongkong", "web-hk-01", RenewalMethod.ManualRenewal, 3),
        new("ecs", "ecs.c7.xlarge", "cn-hongkong", "api-hk-02", RenewalMethod.ManualRenewal, 10),
        new("ecs", "ecs.e-c1m1.large", "cn-hangzhou", "build-hz-01", RenewalMethod.ManualRenewal, -5),
        new("ecs", "ecs.g7.large", "cn-hangzhou", "web-hz-01", RenewalMethod.ManualRenewal, 10),
        new("ecs", "ecs.g7.2xlarge", "cn-shanghai", "db-proxy-sh", RenewalMethod.AutoRenewal, 20, 1),
        new("ecs", "ecs.g7.large", "cn-beijing", "batch-bj-01", RenewalMethod.AutoRenewal, 60, 12),
        new("ecs", "ecs.e-c1m1.large", "cn-shenzhen", "legacy-sz", RenewalMethod.NotRenewal, 3),
        // Expired 20 days ago: past ECS's 15 grace days, so suspended (the recovery state).
        new("ecs", "ecs.c7.xlarge", "ap-southeast-1", "edge-sg-01", RenewalMethod.ManualRenewal, -20),
        new("ecs", "ecs.g7.large", "cn-hangzhou", "worker-payg-01", RenewalMethod.ManualRenewal, null),
        new("swas", "swas.s.c2m2", "cn-hongkong", "blog-hk", RenewalMethod.ManualRenewal, 3),
        new("swas", "swas.s.c2m1", "ap-southeast-1", "proxy-sg", RenewalMethod.AutoRenewal, 20, 1),
        new("rds", "mysql.n2.medium.1", "cn-hangzhou", "orders-db", RenewalMethod.AutoRenewal, 60, 12),
        new("rds", "pg.n2.medium.1", "cn-shanghai", "analytics-pg", RenewalMethod.ManualRenewal, 10),
        new("rds", "mysql.n4.large.1", "cn-beijing", "old-reports-db", RenewalMethod.NotRenewal, -5),
        new("polardb", "polar.mysql.x4.medium", "cn-hangzhou", "polar-main", RenewalMethod.AutoRenewal, 20, 3),
        new("tair", "redis.master.small.default", "cn-hangzhou", "cache-hz", RenewalMethod.ManualRenewal, 20),
        new("tair", "redis.master.mid.default", "cn-hongkong", "session-hk", RenewalMethod.AutoRenewal, 60, 1),
        new("mongodb", "dds.mongo.mid", "cn-shenzhen", "catalog-mongo", RenewalMethod.ManualRenewal, 60),
        new("slb", "slb.s2.small", "cn-hangzhou", "lb-web", RenewalMethod.AutoRenewal, 20, 1),
        new("slb", "slb.s1.small", "cn-hongkong", "lb-hk", RenewalMethod.ManualRenewal, 10),
        new("eip", "eip.bgp.5mbps", "cn-hangzhou", "eip-web", RenewalMethod.ManualRenewal, 3),
        new("eip", "eip.bgp.20mbps", "cn-shanghai", "eip-office", RenewalMethod.NotRenewal, 60),
        new("nas", "nas.capacity.1tb", "cn-hangzhou", "nas-shared", RenewalMethod.ManualRenewal, 60),
        new("waf", "waf.pro", "cn-hangzhou", "waf-shop", RenewalMethod.AutoRenewal, 60, 12),
        new("domain", "domain.com", "cn-hangzhou", "cloudbill-demo.com", RenewalMethod.ManualRenewal, 20),
        new("vpn", "vpn.10mbps", "cn-beijing", "vpn-branch", RenewalMethod.ManualRenewal, -5),
        new("nat", "nat.small", "cn-shenzhen", "nat-sz", RenewalMethod.AutoRenewal, 60, 1),
        new("cen", "cen.bwp.cross.10mbps", "cn-shanghai", "cen-backbone", RenewalMethod.ManualRenewal, 60),
        new("webhosting", "webhosting.basic", "cn-hangzhou", "site-hosting", RenewalMethod.NotRenewal, 10),
        new("edas", "edas.standard.10", "cn-beijing", "edas-apps", RenewalMethod.ManualRenewal, 20),
        new("hbase", "hbase.sn1.large", "cn-hangzhou", "hbase-metrics", RenewalMethod.ManualRenewal, 60),
    ];

    private sealed record DemoCoupon(string Name, string FaceValue, string MinimumOrder, string Products, CouponOrderTypes OrderTypes, int ValidDays);

    private static readonly DemoCoupon[] Coupons =
    [
        new("Welcome voucher", "50.00", "100.00", "", CouponOrderTypes.New | CouponOrderTypes.Renew, 30),
        new("ECS renewal voucher", "100.00", "300.00", "ecs", CouponOrderTypes.Renew, 60),
        new("Database starter voucher", "200.00", "500.00", "rds,polardb", CouponOrderTypes.New, 90),
        new("Expiring voucher", "20.00", "0.00", "", CouponOrderTypes.New | CouponOrderTypes.Renew, 2),
    ];

    public async Task<Result<DemoSeedResult>> Seed(CancellationToken ct)
    {
        if (await db.BillingAccounts.AnyAsync(a => a.Email == demo.Email, ct))
            return new DemoSeedResult(false, demo.Email, 0, 0);

        if (!Money.TryParse(demo.CashBalance, out var cash, out var error))
            return Problem.Invalid("Demo.CashBalance", $"Cloudbill:Demo:CashBalance: {error}");

        await using var tx = await db.BeginOrJoinTransaction(ct);
        var created = await accounts.Create(demo.Email, demo.Password, cash, new AccessKeyPair(demo.AccessKeyId, demo.AccessKeySecret), ct);
        if (!created.Succeeded)
            return created.Problem!;
        var accountId = created.Value.Account.Id;

        var now = clock.GetUtcNow();
        var today = BusinessCalendar.LocalDate(now);
        var random = new Random(20261126);
        foreach (var d in Instances)
        {
            var product = catalog.GetProduct(d.Product);
            if (product.FindSpec(d.Spec) is not { } spec || !spec.IsSoldIn(d.Region))
                throw new InvalidOperationException($"Demo instance {d.Name}: spec {d.Spec} is not sold in {d.Region} in the catalog.");

            DateTimeOffset? expires = d.ExpiresInDays is { } days ? BusinessCalendar.StartOfDay(today.PlusDays(days)) : null;
            var term = d.AutoPeriod ?? 1;
            var instance = new Instance
            {
                Id = InstanceIds.FromSeed(product.InstanceIdPrefix, random),
                AccountId = accountId,
                ProductCode = product.Code,
                SpecCode = spec.Code,
                RegionId = d.Region,
                Name = d.Name,
                ChargeType = expires is null ? ChargeType.PayAsYouGo : ChargeType.Subscription,
                Provisioning = ProvisioningState.Ready,
                CreatedAt = expires is { } e ? BusinessCalendar.AddMonths(e, -term) : BusinessCalendar.StartOfDay(today.PlusDays(-40)),
                ExpiresAt = expires,
                RenewalMethod = d.Method,
                AutoRenewPeriodMonths = d.Method == RenewalMethod.AutoRenewal ? d.AutoPeriod : null,
            };
            instance.AutoRenewEnabledAt = d.Method == RenewalMethod.AutoRenewal ? instance.CreatedAt : null;
            instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, now);
            if (instance.ChargeType == ChargeType.PayAsYouGo)
                instance.StartMetering(now); // R8.1: charged hourly from now on
            db.Instances.Add(instance);
        }

        var validFrom = BusinessCalendar.StartOfDay(today.PlusDays(-1));
        foreach (var c in Coupons)
        {
            var face = Money.Parse(c.FaceValue);
            db.Coupons.Add(new Coupon
            {
                AccountId = accountId,
                Name = c.Name,
                FaceValue = face,
                Remaining = face,
                ValidFrom = validFrom,
                ValidTo = BusinessCalendar.StartOfDay(today.PlusDays(c.ValidDays)),
                ProductCodes = c.Products,
                OrderTypes = c.OrderTypes,
                ChargeType = ChargeType.Subscription,
                MinimumOrder = Money.Parse(c.MinimumOrder),
                IssuedAt = validFrom,
            });
        }

        await db.SaveChangesAsync(ct);
        await tx.Commit(ct);
        return new DemoSeedResult(true, demo.Email, Instances.Length, Coupons.Length);
    }
}
