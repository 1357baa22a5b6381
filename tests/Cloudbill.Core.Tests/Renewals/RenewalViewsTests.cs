using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

/// <summary>The Urgent Renewal and Renewal Management pages (docs/procedures.md, Renew step 1), and the API's instance list.</summary>
public class RenewalViewsTests
{
    private static readonly Dictionary<string, string> SpecOf = new()
    {
        ["ecs"] = "ecs.g7.large",
        ["rds"] = "mysql.n2.medium.1",
        ["tair"] = "redis.master.small.default",
        ["swas"] = "swas.s.c2m1",
    };

    /// <summary>A ready subscription instance of <paramref name="account"/> that expires <paramref name="expiresIn"/> from the test's now.</summary>
    private static Instance Subscription(
        TestServices test,
        long account,
        string id,
        TimeSpan expiresIn,
        string product = "ecs",
        string region = "cn-hangzhou",
        RenewalMethod method = RenewalMethod.ManualRenewal,
        string? name = null)
    {
        var now = test.Clock.GetUtcNow();
        return new Instance
        {
            Id = id,
            AccountId = account,
            ProductCode = product,
            SpecCode = SpecOf[product],
            RegionId = region,
            Name = name ?? "name of " + id,
            ChargeType = ChargeType.Subscription,
            Provisioning = ProvisioningState.Ready,
            CreatedAt = now - TimeSpan.FromDays(200),
            ExpiresAt = now + expiresIn,
            RenewalMethod = method,
            AutoRenewPeriodMonths = method == RenewalMethod.AutoRenewal ? 1 : null,
        };
    }

    private static Task<int> Arrange(TestServices test, params Instance[] instances) =>
        test.Query(db =>
        {
            db.Instances.AddRange(instances);
            return db.SaveChangesAsync();
        });

    private static Task<Result<RenewalPage>> List(TestServices test, long account, RenewalFilter filter) =>
        test.Run<RenewalViews, Result<RenewalPage>>((v, ct) => v.List(account, filter, ct));

    private static async Task<string[]> Ids(TestServices test, long account, RenewalFilter filter) =>
        (await List(test, account, filter)).Value.Instances.Select(i => i.Id).ToArray();

    private static TimeSpan Days(double days) => TimeSpan.FromDays(days);

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Urgent_renewal_lists_what_expires_within_15_days_and_what_has_expired_soonest_first(DatabaseProvider provider) // R1.4, docs/procedures.md Renew step 1: Urgent Renewal
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var released = Subscription(test, account, "i-released", -Days(3));
        released.ReleasedAt = test.Clock.GetUtcNow() - Days(1);
        var payAsYouGo = Subscription(test, account, "i-payasyougo", Days(1));
        payAsYouGo.ChargeType = ChargeType.PayAsYouGo;
        await Arrange(test,
            Subscription(test, account, "i-edge15", Days(15)),
            Subscription(test, account, "i-past15", Days(15) + Second),
            Subscription(test, account, "i-expired2d", -Days(2), method: RenewalMethod.NotRenewal),
            Subscription(test, account, "i-in1h", TimeSpan.FromHours(1), method: RenewalMethod.AutoRenewal),
            Subscription(test, account, "i-expirednow", TimeSpan.Zero),
            released,
            payAsYouGo);

        var urgent = (await List(test, account, RenewalFilter.Urgent)).Value;

        // Expired ones first (they expired earliest), the 15-day edge included, one second past it not.
        Assert.Equal(["i-expired2d", "i-expirednow", "i-in1h", "i-edge15"], urgent.Instances.Select(i => i.Id));
        Assert.Equal(4, urgent.Total);
        Assert.Equal(new RenewalTabCounts(ManualRenewal: 2, AutoRenewal: 1, NotRenewal: 1), urgent.Tabs);
        Assert.Equal([InstanceStatus.Expired, InstanceStatus.Expired, InstanceStatus.WaitForExpire, InstanceStatus.WaitForExpire],
            urgent.Instances.Select(i => i.State.Status));
        // Days to expiry count Asia/Shanghai dates: now is 2026-11-26 10:00, so 2 days ago is -2 and 1 hour ahead is today.
        Assert.Equal([-2, 0, 0, 15], urgent.Instances.Select(i => i.DaysToExpiry));

        // Renewal Management's default, All times, still leaves out released and pay-as-you-go instances.
        Assert.Equal(["i-expired2d", "i-expirednow", "i-in1h", "i-edge15", "i-past15"], await Ids(test, account, new RenewalFilter()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_expiry_preset_includes_its_far_edge_and_leaves_the_expired_to_Expired(DatabaseProvider provider) // R1.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        await Arrange(test,
            Subscription(test, account, "i-a-expired1d", -Days(1)),
            Subscription(test, account, "i-b-expiresnow", TimeSpan.Zero),
            Subscription(test, account, "i-c-in1s", Second),
            Subscription(test, account, "i-d-in7d", Days(7)),
            Subscription(test, account, "i-e-in7d1s", Days(7) + Second),
            Subscription(test, account, "i-f-in15d", Days(15)),
            Subscription(test, account, "i-g-in15d1s", Days(15) + Second),
            Subscription(test, account, "i-h-in30d", Days(30)),
            Subscription(test, account, "i-i-in30d1s", Days(30) + Second));

        Assert.Equal(["i-c-in1s", "i-d-in7d"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.ExpiresIn7Days)));
        Assert.Equal(["i-c-in1s", "i-d-in7d", "i-e-in7d1s", "i-f-in15d"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.ExpiresIn15Days)));
        Assert.Equal(["i-c-in1s", "i-d-in7d", "i-e-in7d1s", "i-f-in15d", "i-g-in15d1s", "i-h-in30d"],
            await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.ExpiresIn30Days)));
        // An instance expiring exactly now has expired (R1.4: Expired from the expiry instant on).
        Assert.Equal(["i-a-expired1d", "i-b-expiresnow"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.Expired)));
        Assert.Equal(9, (await List(test, account, new RenewalFilter(Expiry: ExpiryWindow.AllTimes))).Value.Total);

        // The presets move with the clock.
        test.Clock.Advance(Second);
        Assert.Equal(["i-d-in7d", "i-e-in7d1s"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.ExpiresIn7Days)));
        Assert.Equal(["i-a-expired1d", "i-b-expiresnow", "i-c-in1s"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.Expired)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_custom_range_includes_its_start_and_excludes_its_end(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var now = test.Clock.GetUtcNow();
        await Arrange(test,
            Subscription(test, account, "i-before", Days(10) - Second),
            Subscription(test, account, "i-start", Days(10)),
            Subscription(test, account, "i-inside", Days(12)),
            Subscription(test, account, "i-end", Days(20)));

        var filter = new RenewalFilter(Expiry: ExpiryWindow.Custom, From: now + Days(10), To: now + Days(20));

        Assert.Equal(["i-start", "i-inside"], await Ids(test, account, filter));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_product_list_and_the_tabs_count_what_the_other_filters_leave(DatabaseProvider provider) // R2.1
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        await Arrange(test,
            Subscription(test, account, "i-manual1", Days(3)),
            Subscription(test, account, "i-manual2", Days(4)),
            Subscription(test, account, "i-auto", Days(5), method: RenewalMethod.AutoRenewal),
            Subscription(test, account, "i-norenew", Days(6), method: RenewalMethod.NotRenewal),
            Subscription(test, account, "i-later", Days(60)),
            Subscription(test, account, "rm-auto", Days(2), product: "rds", method: RenewalMethod.AutoRenewal),
            Subscription(test, account, "r-manual", Days(1), product: "tair", region: "cn-beijing"));

        // The product list screen: "Elastic Compute Service (ECS) - Subscription (4)", in the catalog's order.
        var products = (await List(test, account, RenewalFilter.Urgent)).Value.Products;
        Assert.Equal([("ecs", "Elastic Compute Service (ECS)", 4), ("rds", "ApsaraDB RDS", 1), ("tair", "Tair (Redis OSS-compatible)", 1)],
            products.Select(p => (p.ProductCode, p.ProductName, p.Count)));

        // Inside ECS on the Auto-Renewal tab: the tabs count ECS only, the product list counts auto-renewal only.
        var autoEcs = (await List(test, account, RenewalFilter.Urgent with { ProductCode = "ecs", Method = RenewalMethod.AutoRenewal })).Value;
        Assert.Equal(["i-auto"], autoEcs.Instances.Select(i => i.Id));
        Assert.Equal(1, autoEcs.Total);
        Assert.Equal(new RenewalTabCounts(ManualRenewal: 2, AutoRenewal: 1, NotRenewal: 1), autoEcs.Tabs);
        Assert.Equal([("ecs", 1), ("rds", 1)], autoEcs.Products.Select(p => (p.ProductCode, p.Count)));

        var manual = (await List(test, account, RenewalFilter.Urgent with { ProductCode = "ecs", Method = RenewalMethod.ManualRenewal })).Value;
        Assert.Equal(["i-manual1", "i-manual2"], manual.Instances.Select(i => i.Id));
        var notRenewal = (await List(test, account, RenewalFilter.Urgent with { ProductCode = "ecs", Method = RenewalMethod.NotRenewal })).Value;
        Assert.Equal(["i-norenew"], notRenewal.Instances.Select(i => i.Id));

        // A region narrows everything, counts included.
        var beijing = (await List(test, account, new RenewalFilter(RegionId: "cn-beijing"))).Value;
        Assert.Equal(["r-manual"], beijing.Instances.Select(i => i.Id));
        Assert.Equal([("tair", 1)], beijing.Products.Select(p => (p.ProductCode, p.Count)));
        Assert.Equal(new RenewalTabCounts(1, 0, 0), beijing.Tabs);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_row_shows_product_spec_region_method_status_and_the_unpaid_order(DatabaseProvider provider) // R1.4, R2.1, R3.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var auto = Subscription(test, account, "i-shop", Days(40), region: "cn-hongkong", method: RenewalMethod.AutoRenewal, name: "shop-frontend");
        auto.AutoRenewPeriodMonths = 12;
        var unpaid = Subscription(test, account, "rm-orders", -Days(1), product: "rds", name: "orders-db");
        unpaid.UnpaidOrderId = 4242;
        await Arrange(test, auto, unpaid);

        var rows = (await List(test, account, new RenewalFilter())).Value.Instances;

        var db = rows[0];
        Assert.Equal(("rm-orders", "orders-db", "rds", "ApsaraDB RDS"), (db.Id, db.Name, db.ProductCode, db.ProductName));
        Assert.Equal(("cn-hangzhou", "China (Hangzhou)"), (db.RegionId, db.RegionName));
        Assert.Equal("mysql.n2.medium.1", db.SpecCode);
        // RDS has no grace days (R1.5): one day after expiry it is suspended.
        Assert.Equal((InstanceStatus.Expired, InstancePhase.Suspended), (db.State.Status, db.State.Phase));
        Assert.True(db.HasUnpaidOrder);
        Assert.Equal(4242, db.UnpaidOrderId);

        var shop = rows[1];
        Assert.Equal(("i-shop", "Hong Kong (China)", RenewalMethod.AutoRenewal, 12), (shop.Id, shop.RegionName, shop.RenewalMethod, shop.AutoRenewPeriodMonths));
        Assert.Equal("ecs.g7.large · 2 vCPU 8 GiB", shop.SpecName);
        Assert.Equal((InstanceStatus.Normal, InstancePhase.Running), (shop.State.Status, shop.State.Phase));
        Assert.Equal(test.Clock.GetUtcNow() + Days(40), shop.ExpiresAt);
        Assert.Equal(40, shop.DaysToExpiry);
        Assert.False(shop.HasUnpaidOrder);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_instance_leaves_the_views_at_its_release_time_even_before_the_engine_marks_it(DatabaseProvider provider) // R1.4, R1.5
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        await Arrange(test,
            // ECS: 15 grace + 15 suspended days; RDS: 0 + 15.
            Subscription(test, account, "i-released-by-now", -Days(30)),
            Subscription(test, account, "i-last-second", -Days(30) + Second),
            Subscription(test, account, "rm-released-by-now", -Days(15), product: "rds"),
            Subscription(test, account, "rm-last-second", -Days(15) + Second, product: "rds"));

        Assert.Equal(["i-last-second", "rm-last-second"], await Ids(test, account, new RenewalFilter(Expiry: ExpiryWindow.Expired)));
        Assert.Equal(["rm-last-second"], await Ids(test, account, RenewalFilter.Urgent with { ProductCode = "rds" }));
        var all = (await List(test, account, new RenewalFilter())).Value;
        Assert.Equal([("ecs", 1), ("rds", 1)], all.Products.Select(p => (p.ProductCode, p.Count)));
        Assert.All(all.Instances, i => Assert.Equal(InstanceStatus.Expired, i.State.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Search_matches_the_start_of_an_id_or_any_part_of_a_name_ignoring_case(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        await Arrange(test,
            Subscription(test, account, "i-7xk2web", Days(1), name: "Shop-Frontend"),
            Subscription(test, account, "i-9qq1db", Days(2), name: "orders_db"),
            Subscription(test, account, "i-3zz8promo", Days(3), name: "promo 50% off"),
            Subscription(test, account, "rm-5aa1", Days(4), product: "rds", name: "ordersXdb"));

        Assert.Equal(["i-7xk2web"], await Ids(test, account, new RenewalFilter(Search: "FRONT")));
        Assert.Equal(["i-7xk2web"], await Ids(test, account, new RenewalFilter(Search: "  I-7XK  ")));
        Assert.Equal(["i-7xk2web"], await Ids(test, account, new RenewalFilter(Search: "i-7xk2web")));
        // Ids match from their start only: the middle of an id finds nothing.
        Assert.Empty(await Ids(test, account, new RenewalFilter(Search: "7xk2")));
        Assert.Equal(["i-7xk2web", "i-9qq1db", "i-3zz8promo"], await Ids(test, account, new RenewalFilter(Search: "i-")));
        // Wildcards are plain text: "_" and "%" match only themselves.
        Assert.Equal(["i-9qq1db"], await Ids(test, account, new RenewalFilter(Search: "orders_db")));
        Assert.Equal(["i-3zz8promo"], await Ids(test, account, new RenewalFilter(Search: "50%")));
        // The search combines with the other filters and counts.
        var rds = (await List(test, account, new RenewalFilter(ProductCode: "rds", Search: "orders"))).Value;
        Assert.Equal(["rm-5aa1"], rds.Instances.Select(i => i.Id));
        Assert.Equal([("ecs", 1), ("rds", 1)], rds.Products.Select(p => (p.ProductCode, p.Count)));
        Assert.Equal(4, (await List(test, account, new RenewalFilter(Search: "   "))).Value.Total);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pages_follow_each_other_without_overlap_and_a_page_past_the_end_is_empty(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        // 25 instances; two share each expiry, so the id decides between them.
        var instances = Enumerable.Range(0, 25)
            .Select(n => Subscription(test, account, $"i-{n:D2}", Days(n / 2)))
            .Reverse()
            .ToArray();
        await Arrange(test, instances);
        var expected = Enumerable.Range(0, 25).Select(n => $"i-{n:D2}").ToArray();

        var first = (await List(test, account, new RenewalFilter(PageSize: 10))).Value;
        var second = (await List(test, account, new RenewalFilter(Page: 2, PageSize: 10))).Value;
        var third = (await List(test, account, new RenewalFilter(Page: 3, PageSize: 10))).Value;

        Assert.Equal(expected, first.Instances.Concat(second.Instances).Concat(third.Instances).Select(i => i.Id));
        Assert.Equal((10, 10, 5), (first.Instances.Count, second.Instances.Count, third.Instances.Count));
        Assert.All([first, second, third], p => Assert.Equal(25, p.Total));
        Assert.Empty((await List(test, account, new RenewalFilter(Page: 4, PageSize: 10))).Value.Instances);
        var farAway = (await List(test, account, new RenewalFilter(Page: int.MaxValue, PageSize: RenewalFilter.MaxPageSize))).Value;
        Assert.Equal((0, 25), (farAway.Instances.Count, farAway.Total));
        // The default page holds 20.
        var byDefault = (await List(test, account, new RenewalFilter())).Value;
        Assert.Equal((20, 1, 20), (byDefault.Instances.Count, byDefault.Page, byDefault.PageSize));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_customers_instances_never_appear_in_lists_or_counts(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var mine = await test.Customer();
        var theirs = await test.Customer();
        await Arrange(test,
            Subscription(test, mine, "i-mine", Days(100)),
            Subscription(test, theirs, "i-theirs-soon", Days(1)),
            Subscription(test, theirs, "i-theirs-expired", -Days(1), method: RenewalMethod.NotRenewal),
            Subscription(test, theirs, "rm-theirs", Days(2), product: "rds", method: RenewalMethod.AutoRenewal));

        var urgent = (await List(test, mine, RenewalFilter.Urgent)).Value;
        Assert.Empty(urgent.Instances);
        Assert.Equal(0, urgent.Total);
        Assert.Empty(urgent.Products);
        Assert.Equal(new RenewalTabCounts(0, 0, 0), urgent.Tabs);

        Assert.Equal(["i-mine"], await Ids(test, mine, new RenewalFilter()));
        Assert.Empty(await Ids(test, mine, new RenewalFilter(Search: "i-theirs")));
        Assert.Equal(3, (await List(test, theirs, new RenewalFilter())).Value.Total);
    }

    [Fact]
    public async Task Bad_filters_are_refused_with_a_message_that_says_what_to_use()
    {
        var now = TestServices.DefaultStart;
        // Validation happens before any query, so no database is needed.
        var views = new RenewalViews(null!, CatalogLoader.Load(RepositoryPaths.Catalog), TimeProvider.System);
        var cases = new (string Case, RenewalFilter Filter, string Message)[]
        {
            ("page 0", new(Page: 0), "Page 0 does not exist; pages start at 1."),
            ("page size 0", new(PageSize: 0), "Page size 0 is outside 1 to 300."),
            ("page size 301", new(PageSize: 301), "Page size 301 is outside 1 to 300."),
            ("unknown product", new(ProductCode: "quantum"), "Product 'quantum' is not in the catalog; use one of ecs, swas, rds, polardb, tair, mongodb, hbase, nas, cpfs, slb, eip, vpn, ri, nat, cen, ddosip, waf, ddos, edas, domain, webhosting."),
            ("unknown region", new(RegionId: "mars-1"), "Region 'mars-1' does not exist; use one of cn-hangzhou, cn-shanghai, cn-beijing, cn-shenzhen, cn-hongkong, ap-southeast-1."),
            ("unknown method", new(Method: (RenewalMethod)7), "Renewal method '7' is unknown; use ManualRenewal, AutoRenewal or NotRenewal."),
            ("unknown expiry", new(Expiry: (ExpiryWindow)42), "Expiry range '42' is unknown; use AllTimes, Urgent, ExpiresIn7Days, ExpiresIn15Days, ExpiresIn30Days, Expired, Custom, ExpiresIn60Days or ExpiresIn90Days."),
            ("empty range", new(Expiry: ExpiryWindow.Custom, From: now, To: now), "The expiry range is empty: its start (2026-11-26 10:00) must be before its end (2026-11-26 10:00)."),
            ("inverted range", new(Expiry: ExpiryWindow.Custom, From: now.AddDays(1), To: now), "The expiry range is empty: its start (2026-11-27 10:00) must be before its end (2026-11-26 10:00)."),
            ("open range", new(Expiry: ExpiryWindow.Custom, From: now), "A custom expiry range needs both a start and an end."),
            ("range with a preset", new(Expiry: ExpiryWindow.Urgent, To: now), "A start or end of the expiry range applies only to the Custom range, not to Urgent; choose Custom or leave them out."),
            ("long search", new(Search: new string('x', 129)), "The search text is 129 characters long; an instance name or id is at most 128."),
        };

        foreach (var (name, filter, message) in cases)
        {
            var result = await views.List(1, filter, CancellationToken.None);
            Assert.Equal((name, "Renewals.InvalidFilter", message, ProblemKind.Invalid),
                (name, result.Problem?.Code, result.Problem?.Message, result.Problem?.Kind));
        }
    }

    [Fact]
    public void The_edges_parse_methods_and_expiry_ranges_by_name_only()
    {
        Assert.Equal(RenewalMethod.AutoRenewal, RenewalViews.ParseMethod("autorenewal").Value);
        Assert.Null(RenewalViews.ParseMethod(" ").Value);
        Assert.Equal("Renewal method 'Sometimes' is unknown; use ManualRenewal, AutoRenewal or NotRenewal.", RenewalViews.ParseMethod("Sometimes").Problem!.Message);
        Assert.Equal("Renewal method '1' is unknown; use ManualRenewal, AutoRenewal or NotRenewal.", RenewalViews.ParseMethod("1").Problem!.Message);
        Assert.Equal(ExpiryWindow.ExpiresIn15Days, RenewalViews.ParseExpiry("ExpiresIn15Days").Value);
        Assert.Equal(ProblemKind.Invalid, RenewalViews.ParseExpiry("Soon").Problem!.Kind);
    }
}
