using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>The DbContext is pooled (docs/decisions/0021): a request rents one, and gets it back as new.</summary>
public class ContextPoolTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_context_rented_again_has_none_of_its_last_users_state(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("10.00");
        CloudbillDbContext first;
        await using (var scope = test.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            // What the engine's batches change on their context.
            first.Database.AutoSavepointsEnabled = false;
            (await first.BillingAccounts.SingleAsync(a => a.Id == account, TestContext.Current.CancellationToken)).CreditLine = new Money(999);
        }

        await using (var scope = test.Services.CreateAsyncScope())
        {
            var second = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            Assert.Same(first, second);
            Assert.True(second.Database.AutoSavepointsEnabled);
            Assert.Empty(second.ChangeTracker.Entries());
            Assert.Null(second.Database.CurrentTransaction);
            Assert.Equal(Money.Zero, await second.BillingAccounts.Where(a => a.Id == account).Select(a => a.CreditLine).SingleAsync(TestContext.Current.CancellationToken));
        }
    }
}
