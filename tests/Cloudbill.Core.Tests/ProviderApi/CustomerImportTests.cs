using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.ProviderApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>Customers, balances and instances imported from the provider's system (docs/webhooks.md, "Importing"): idempotent, all or nothing.</summary>
public class CustomerImportTests
{
    private static ImportFile TwoCustomers() => new(
    [
        new ImportCustomer("crm-1001", "li.lei@example.com", "Li Lei", "123.45",
        [
            new ImportInstance("vm-9001", "ecs", "ecs.g7.large", "cn-hangzhou", "web-1", "2027-01-15", "auto_renewal", 1, "subscription"),
            new ImportInstance("vm-9002", "ecs", "ecs.c7.xlarge", "cn-shanghai", "batch-1", null, null, null, "pay_as_you_go"),
        ]),
        new ImportCustomer("crm-1002", "han.meimei@example.com", null, null,
        [
            new ImportInstance("db-7001", "rds", "mysql.n2.medium.1", "cn-hangzhou", "orders-db", "2027-03-01T00:00:00+08:00", "manual_renewal", null, null),
        ]),
    ]);

    private static Task<ImportReport> Import(TestServices test, ImportFile file, bool dryRun = false) =>
        test.Run<CustomerImport, ImportReport>((s, ct) => s.Run(file, dryRun, ct));

    /// <summary>The import's rows beside the snapshot: accounts and sign-in users are not in it.</summary>
    private static async Task<string> Everything(TestServices test) =>
        await test.Snapshot() + "\n" + await test.Query(async db =>
            string.Join("\n", (await db.BillingAccounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync()).Select(a => $"A {a.Id} {a.Email} {a.ExternalId} {a.Name}"))
            + "\nU " + await db.Users.CountAsync());

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_import_run_twice_changes_nothing_the_second_time(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);

        var first = await Import(test, TwoCustomers());
        Assert.Empty(first.Errors);
        Assert.Equal((true, 2, 0, 1, 3, 0, 6), (first.Applied, first.CustomersCreated, first.CustomersMatched, first.OpeningBalancesPosted, first.InstancesCreated, first.InstancesMatched, first.Changes));
        var after = await Everything(test);

        var second = await Import(test, TwoCustomers());
        Assert.Equal((0, 2, 0, 3, 0), (second.CustomersCreated, second.CustomersMatched, second.OpeningBalancesPosted, second.InstancesMatched, second.Changes));
        Assert.Equal(after, await Everything(test));
        Assert.Equal(first.Instances.Select(i => i.InstanceId), second.Instances.Select(i => i.InstanceId));

        // The customer, its balance and its instances as Cloudbill now runs them.
        var account = await test.Query(db => db.BillingAccounts.AsNoTracking().SingleAsync(a => a.ExternalId == "crm-1001"));
        Assert.Equal(("li.lei@example.com", "Li Lei"), (account.Email, account.Name));
        Assert.Equal(Money.Parse("123.45"), (await test.Balance(account.Id)).Cash);
        var user = await test.Query(db => db.Users.AsNoTracking().SingleAsync(u => u.BillingAccountId == account.Id));
        Assert.Null(user.PasswordHash);
        var web = await test.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.ExternalId == "vm-9001"));
        var catalog = test.Services.GetRequiredService<ProductCatalog>();
        Assert.Equal((account.Id, ProvisioningState.Ready, RenewalMethod.AutoRenewal, (int?)1, new DateTimeOffset(2027, 1, 14, 16, 0, 0, TimeSpan.Zero)),
            (web.AccountId, web.Provisioning, web.RenewalMethod, web.AutoRenewPeriodMonths, web.ExpiresAt!.Value));
        Assert.Equal(LifecycleSchedule.NextDueAfter(web, catalog.GetProduct("ecs"), test.Clock.GetUtcNow()), web.NextDueAt);
        Assert.Equal(InstanceStatus.Normal, InstanceLifecycle.StateAt(web, catalog.GetProduct("ecs").Lifecycle, test.Clock.GetUtcNow()).Status);
        var batch = await test.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.ExternalId == "vm-9002"));
        Assert.Equal((ChargeType.PayAsYouGo, (DateTimeOffset?)null), (batch.ChargeType, batch.ExpiresAt));
        Assert.NotNull(batch.PayAsYouGoDueAt);
        Assert.True((await test.Run<Ledger.Reconciliation, Ledger.ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_dry_run_changes_nothing_and_reports_what_it_would_do(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var before = await Everything(test);

        var dry = await Import(test, TwoCustomers(), dryRun: true);
        Assert.Equal((true, false, 2, 1, 3, 6), (dry.DryRun, dry.Applied, dry.CustomersCreated, dry.OpeningBalancesPosted, dry.InstancesCreated, dry.Changes));
        Assert.All(dry.Instances, i => Assert.Equal(("create", (string?)null), (i.Action, i.InstanceId)));
        Assert.Equal(before, await Everything(test));

        await Import(test, TwoCustomers());
        var again = await Import(test, TwoCustomers(), dryRun: true);
        Assert.Equal((0, 2, 3), (again.Changes, again.CustomersMatched, again.InstancesMatched));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task One_invalid_row_applies_nothing_and_every_error_names_its_row(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var existing = await test.Customer();
        var taken = await test.EmailOf(existing);
        var file = TwoCustomers() with
        {
            Customers =
            [
                .. TwoCustomers().Customers!,
                new ImportCustomer("crm-1003", taken, null, "-5.00",
                [
                    new ImportInstance("vm-9003", "ecs", "ecs.nosuchspec", "cn-hangzhou", "web-3", "2027-01-15", null, null, null),
                    new ImportInstance("vm-9004", "ecs", "ecs.g7.large", "cn-hangzhou", "web-4", "15/01/2027", "auto_renewal", 5, null),
                ]),
            ],
        };
        var before = await Everything(test);

        var report = await Import(test, file);
        Assert.False(report.Applied);
        Assert.Equal(
            [
                ("customers[2]", "email"), ("customers[2]", "openingBalance"),
                ("customers[2].instances[0]", "spec"),
                ("customers[2].instances[1]", "autoRenewPeriodMonths"), ("customers[2].instances[1]", "expiresAt"),
            ],
            report.Errors.Select(e => (e.Where, e.Field)).Order());
        Assert.Equal(before, await Everything(test));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_CSV_file_imports_like_JSON_and_a_malformed_row_is_reported_by_its_line_with_nothing_applied(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        const string header = "customer_external_id,email,name,opening_balance,instance_external_id,product,spec,region,instance_name,expires_at,renewal_method,auto_renew_period_months,charge_type";
        var good = string.Join("\n",
            header,
            "crm-1001,li.lei@example.com,\"Li, Lei\",123.45,vm-9001,ecs,ecs.g7.large,cn-hangzhou,web-1,2027-01-15,auto_renewal,1,subscription",
            "crm-1001,li.lei@example.com,\"Li, Lei\",123.45,vm-9002,ecs,ecs.c7.xlarge,cn-shanghai,batch-1,,,,pay_as_you_go",
            "crm-1002,han.meimei@example.com,,,,,,,,,,,");
        var bad = good + "\n" + "crm-1003,x@example.com,\"unclosed,1.00,vm-9005,ecs,ecs.g7.large,cn-hangzhou,web-5,2027-01-15,,,\n"
            .Replace("\"unclosed", "un\"closed", StringComparison.Ordinal)
            + "crm-1004,y@example.com,,1.00,vm-9006,ecs,ecs.g7.large,cn-hangzhou,web-6,2027-01-15\n"
            + "crm-1005,z@example.com,,1.00,vm-9007,ecs,ecs.g7.large,cn-nowhere,web-7,2027-01-15,,,\n";
        var before = await Everything(test);

        var refused = await test.Run<CustomerImport, ImportReport>((s, ct) => s.Run(ImportCsv.Read(new StringReader(bad)), dryRun: false, ct));
        Assert.Equal([(5, "row"), (6, "row"), (7, "region")], refused.Errors.Select(e => (e.Line!.Value, e.Field)));
        Assert.Equal(before, await Everything(test));

        var imported = await test.Run<CustomerImport, ImportReport>((s, ct) => s.Run(ImportCsv.Read(new StringReader(good)), dryRun: false, ct));
        Assert.Empty(imported.Errors);
        Assert.Equal((2, 1, 2), (imported.CustomersCreated, imported.OpeningBalancesPosted, imported.InstancesCreated));
        Assert.Equal("Li, Lei", await test.Query(db => db.BillingAccounts.Where(a => a.ExternalId == "crm-1001").Select(a => a.Name).SingleAsync()));
        var again = await test.Run<CustomerImport, ImportReport>((s, ct) => s.Run(ImportCsv.Read(new StringReader(good)), dryRun: false, ct));
        Assert.Equal(0, again.Changes);

        var header2 = ImportCsv.Read(new StringReader("customer_id,email\nx,y"));
        Assert.Equal((1, "header"), (header2.Errors.Single().Line!.Value, header2.Errors.Single().Field));
    }
}
