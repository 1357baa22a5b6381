using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>The API's hot reads run as prepared statements on PostgreSQL, one per query shape (docs/decisions/0022).</summary>
public class PreparedQueriesTests
{
    [Fact]
    public async Task Every_page_of_the_instance_list_and_every_balance_reuse_one_prepared_statement_each()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await TestServices.Start(DatabaseProvider.Postgres);
        var account = await test.Customer("12.34");
        var now = test.Clock.GetUtcNow();
        await test.Query(db =>
        {
            db.Instances.AddRange(Enumerable.Range(0, 25).Select(n => new Instance
            {
                Id = $"i-{n:D2}",
                AccountId = account,
                ProductCode = "ecs",
                SpecCode = "ecs.g7.large",
                RegionId = "cn-hangzhou",
                Name = $"web-{n:D2}",
                ChargeType = ChargeType.Subscription,
                Provisioning = ProvisioningState.Ready,
                CreatedAt = now - TimeSpan.FromDays(30),
                ExpiresAt = now + TimeSpan.FromDays(n + 1),
            }));
            return db.SaveChangesAsync(ct);
        });

        await using var scope = test.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        // One physical connection for the whole scope, so its prepared statements can be listed.
        await db.Database.OpenConnectionAsync(ct);
        var views = scope.ServiceProvider.GetRequiredService<RenewalViews>();
        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var result = (await views.Page(account, new RenewalFilter(Page: page, PageSize: 10), ct)).Value;
            Assert.Equal(25, result.Total);
            pages.AddRange(result.Rows.Select(r => r.Id));
        }
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        Assert.Equal(new Money(1234), (await ledger.Balance(account, ct)).Cash);
        Assert.Equal(new Money(1234), (await ledger.Balance(account, ct)).Cash);

        Assert.Equal(Enumerable.Range(0, 25).Select(n => $"i-{n:D2}"), pages);
        var prepared = await db.Database
            .SqlQuery<string>($"SELECT statement AS \"Value\" FROM pg_prepared_statements WHERE statement LIKE '-- prepared%' ORDER BY statement")
            .ToListAsync(ct);
        // Three pages, one statement: Skip and Take reach SQL as parameters, not as constants.
        Assert.Equal(2, prepared.Count);
        Assert.Single(prepared, s => s.Contains("\"Instances\"", StringComparison.Ordinal) && s.Contains("LIMIT $", StringComparison.Ordinal));
        Assert.Single(prepared, s => s.Contains("\"BillingAccounts\"", StringComparison.Ordinal));
    }
}
